package io.amebo.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;
import java.util.Objects;

/**
 * The body a handler receives (DESIGN §5). {@code payload} is the event's JSON exactly as it was published and
 * appended; it is embedded as raw JSON, never re-parsed, so the bytes a publisher sent are the bytes a handler
 * signs over.
 *
 * @param id the event id ({@link EventId}), equal to the {@code webhook-id} header
 * @param application the application that published the event
 * @param timestamped when the event was appended (UTC)
 * @param attempt 1 for the first delivery, counting up across retries
 * @param deduper the publisher's deduplication key, or null (then omitted)
 */
@JsonPropertyOrder({"id", "action", "application", "subscription", "payload", "timestamped", "attempt", "deduper"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookEnvelope(
        String id,
        String action,
        String application,
        String subscription,
        @JsonRawValue String payload,
        Instant timestamped,
        int attempt,
        String deduper) {

    public WebhookEnvelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(timestamped, "timestamped");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt counts from 1, was " + attempt);
        }
    }
}
