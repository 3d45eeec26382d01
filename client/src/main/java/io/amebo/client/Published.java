package io.amebo.client;

import java.time.Instant;

/**
 * An accepted publish: where the event lives.
 *
 * @param id the event's id (opaque, URL-safe), for {@link AmeboClient#getEvent(String)}; handlers get it as
 *     {@code webhook-id}
 * @param timestamped when Kafka appended it (the broker's clock)
 * @param deduper the deduplication key sent with it, or null
 * @param duplicate true when Amebo had already accepted an event with this deduper (HTTP 200): nothing was appended
 *     and every other field describes that first event
 */
public record Published(
        String id, String action, Instant timestamped, int partition, long offset, String deduper, boolean duplicate) {

    Published asDuplicate(boolean duplicate) {
        return new Published(id, action, timestamped, partition, offset, deduper, duplicate);
    }
}
