package io.amebo.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A delivery record: one event's delivery to one subscription.
 *
 * @param gist the delivery's id, for {@link Gists#redeliver(String)}
 * @param event the event's id
 * @param status {@code pending}, {@code delivered}, {@code failed} or {@code dead}
 * @param completed true once delivered
 * @param attempts attempts made so far
 * @param lastStatus the handler's last HTTP status, or null
 * @param lastError the last failure, or null
 * @param responseExcerpt the first KiB of the handler's last answer, or null
 * @param nextAttemptAt when the next attempt is due, or null
 * @param timestamped when the first attempt was recorded
 * @param updated when the record last changed
 */
public record Gist(
        String gist,
        String subscription,
        String action,
        String event,
        String status,
        boolean completed,
        int attempts,
        @JsonProperty("last_status") Integer lastStatus,
        @JsonProperty("last_error") String lastError,
        @JsonProperty("response_excerpt") String responseExcerpt,
        @JsonProperty("next_attempt_at") Instant nextAttemptAt,
        Instant timestamped,
        Instant updated) {}
