package io.amebo.client;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * What a handler receives: the envelope Amebo POSTs to it, read by {@link WebhookVerifier}.
 *
 * @param id the event's id, the same on every attempt and replay (and the {@code webhook-id} header): deduplicate
 *     on it, since delivery is at least once
 * @param application the application that published the event
 * @param subscription the subscription this delivery is for
 * @param payload the payload as it was published
 * @param timestamped when the event was appended
 * @param attempt 1 for the first delivery, counting up across retries
 * @param deduper the publisher's deduplication key, or null
 */
public record WebhookDelivery(
        String id,
        String action,
        String application,
        String subscription,
        JsonNode payload,
        Instant timestamped,
        int attempt,
        String deduper) {}
