package io.amebo.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A subscription: an application's handler for one action's events.
 *
 * @param id the subscription's identity: a subscription deleted and created again under its name gets a new one
 * @param application the subscriber
 * @param handler as registered: an absolute URL, or a path resolved against the subscriber's address
 * @param endpoint the URL deliveries go to now
 * @param maxRetries attempts in all before a delivery is dead
 * @param ordered one delivery at a time per key
 * @param rateLimit at most this many deliveries a second, or null for no limit
 * @param status {@code active} or {@code paused}
 * @param pausedReason why it is paused (by whom, or the handler's 410, or the breaker), or null
 */
public record Subscription(
        String id,
        String subscription,
        String application,
        String action,
        String handler,
        String endpoint,
        @JsonProperty("max_retries") int maxRetries,
        boolean ordered,
        @JsonProperty("rate_limit") Integer rateLimit,
        String description,
        String status,
        @JsonProperty("paused_reason") String pausedReason,
        Instant timestamped) {}
