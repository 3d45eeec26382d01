package io.amebo.testkit;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The at-least-once guarantee (DESIGN §6.2) checked on what a {@link WebhookReceiver} recorded: every expected event
 * id must have arrived at least once as a request's {@code webhook-id}. Duplicates are allowed (they carry the same
 * {@code webhook-id}) and counted. It reads the receiver's record each time it is asked, so it can be polled.
 */
public final class AtLeastOnce {

    private final WebhookReceiver receiver;

    private AtLeastOnce(WebhookReceiver receiver) {
        this.receiver = Objects.requireNonNull(receiver);
    }

    public static AtLeastOnce of(WebhookReceiver receiver) {
        return new AtLeastOnce(receiver);
    }

    /** The expected ids the receiver has not seen yet, in the order given. */
    public List<String> missing(Collection<String> expected) {
        Set<String> seen = received().keySet();
        return expected.stream().distinct().filter(id -> !seen.contains(id)).toList();
    }

    /** Counts of what the receiver got against what it should have got. */
    public Tally tally(Collection<String> expected) {
        Map<String, Integer> received = received();
        Set<String> wanted = new LinkedHashSet<>(expected);
        int delivered = 0;
        int duplicates = 0;
        int requests = 0;
        for (Map.Entry<String, Integer> entry : received.entrySet()) {
            requests += entry.getValue();
            if (wanted.contains(entry.getKey())) {
                delivered++;
                duplicates += entry.getValue() - 1;
            }
        }
        return new Tally(wanted.size(), delivered, wanted.size() - delivered, duplicates, requests);
    }

    /**
     * @param expected distinct ids that had to arrive
     * @param delivered how many of them arrived at least once
     * @param missing how many of them never arrived
     * @param duplicates requests beyond the first for an expected id
     * @param requests every request the receiver recorded, expected or not
     */
    public record Tally(int expected, int delivered, int missing, int duplicates, int requests) {

        @Override
        public String toString() {
            return "expected %d, delivered %d, missing %d, duplicate deliveries %d, requests %d"
                    .formatted(expected, delivered, missing, duplicates, requests);
        }
    }

    /** Requests per {@code webhook-id}; requests without one are ignored. */
    private Map<String, Integer> received() {
        Map<String, Integer> counts = new HashMap<>();
        for (WebhookReceiver.Received request : receiver.requests()) {
            String id = request.header("webhook-id");
            if (id != null) {
                counts.merge(id, 1, Integer::sum);
            }
        }
        return counts;
    }
}
