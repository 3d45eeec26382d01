package io.amebo.client;

import io.amebo.contract.Problem;
import java.util.List;

/**
 * What became of a batch, one result per event in the order sent.
 *
 * @param appended how many events Amebo accepted (deduplicated ones included)
 * @param failed how many it refused
 * @param deduplicated how many of the accepted ones repeated a deduper, so appended nothing new
 */
public record BatchResult(List<Item> results, int appended, int failed, int deduplicated) {

    public BatchResult {
        results = List.copyOf(results);
    }

    /** The result for one event of the batch: {@link Accepted} or {@link Rejected}. */
    public sealed interface Item permits Accepted, Rejected {
        /** The event's position in the batch, from 0. */
        int index();
    }

    /** The event was appended, or was a duplicate of one that was ({@link Published#duplicate()}). */
    public record Accepted(int index, Published published) implements Item {}

    /** The event was refused, for the reason the problem gives (its status, detail and failing fields). */
    public record Rejected(int index, Problem problem) implements Item {}

    public boolean allAccepted() {
        return failed == 0;
    }

    /** The accepted events, in batch order. */
    public List<Published> published() {
        return results.stream()
                .filter(Accepted.class::isInstance)
                .map(item -> ((Accepted) item).published())
                .toList();
    }

    /** The refused events, in batch order. */
    public List<Rejected> rejected() {
        return results.stream()
                .filter(Rejected.class::isInstance)
                .map(Rejected.class::cast)
                .toList();
    }
}
