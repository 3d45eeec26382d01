package io.amebo.client;

import java.time.Duration;
import java.time.Instant;

/**
 * How to publish an event, beyond its action and payload. Immutable; start from {@link #NONE}:
 *
 * <pre>{@code
 * PublishOptions.NONE.withDeduper("user-u1-created").withKey("u1").withSleepFor(Duration.ofMinutes(5))
 * }</pre>
 *
 * @param deduper a deduplication key: the same deduper again within Amebo's window appends nothing and answers with
 *     the first event. It is also what makes a publish safe to retry (see {@link AmeboClient})
 * @param key the Kafka record key (events with one key keep their order); else the action's {@code partition_key}
 * @param sleepUntil no delivery before this instant (sent as {@code sleep_until}); at most one of this and
 *     {@code sleepFor}
 * @param sleepFor no delivery before this much time has passed (sent as {@code sleep_until} in seconds)
 * @param requestId sent as {@code X-Request-Id}; it travels with the event and reaches every handler
 */
public record PublishOptions(String deduper, String key, Instant sleepUntil, Duration sleepFor, String requestId) {

    /** Nothing beyond the action and payload. */
    public static final PublishOptions NONE = new PublishOptions(null, null, null, null, null);

    public PublishOptions {
        if (sleepUntil != null && sleepFor != null) {
            throw new IllegalArgumentException("give sleepUntil or sleepFor, not both");
        }
        if (sleepFor != null && sleepFor.isNegative()) {
            throw new IllegalArgumentException("sleepFor cannot be negative");
        }
    }

    public PublishOptions withDeduper(String deduper) {
        return new PublishOptions(deduper, key, sleepUntil, sleepFor, requestId);
    }

    public PublishOptions withKey(String key) {
        return new PublishOptions(deduper, key, sleepUntil, sleepFor, requestId);
    }

    public PublishOptions withSleepUntil(Instant sleepUntil) {
        return new PublishOptions(deduper, key, sleepUntil, null, requestId);
    }

    public PublishOptions withSleepFor(Duration sleepFor) {
        return new PublishOptions(deduper, key, null, sleepFor, requestId);
    }

    public PublishOptions withRequestId(String requestId) {
        return new PublishOptions(deduper, key, sleepUntil, sleepFor, requestId);
    }
}
