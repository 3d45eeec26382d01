package io.amebo.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A change to a subscription ({@link Subscriptions#update(String, SubscriptionUpdate)}); what is null stays as it
 * is. Immutable; start from {@link #NONE}.
 *
 * @param status {@code paused} or {@code active}
 * @param pausedReason why it is paused, with {@code status} {@code paused}
 */
public record SubscriptionUpdate(
        String status,
        String handler,
        Integer maxRetries,
        Boolean ordered,
        Integer rateLimit,
        String description,
        String pausedReason) {

    public static final SubscriptionUpdate NONE = new SubscriptionUpdate(null, null, null, null, null, null, null);

    public SubscriptionUpdate withStatus(String status) {
        return new SubscriptionUpdate(status, handler, maxRetries, ordered, rateLimit, description, pausedReason);
    }

    public SubscriptionUpdate withHandler(String handler) {
        return new SubscriptionUpdate(status, handler, maxRetries, ordered, rateLimit, description, pausedReason);
    }

    public SubscriptionUpdate withMaxRetries(int maxRetries) {
        return new SubscriptionUpdate(status, handler, maxRetries, ordered, rateLimit, description, pausedReason);
    }

    public SubscriptionUpdate withOrdered(boolean ordered) {
        return new SubscriptionUpdate(status, handler, maxRetries, ordered, rateLimit, description, pausedReason);
    }

    public SubscriptionUpdate withRateLimit(int rateLimit) {
        return new SubscriptionUpdate(status, handler, maxRetries, ordered, rateLimit, description, pausedReason);
    }

    public SubscriptionUpdate withDescription(String description) {
        return new SubscriptionUpdate(status, handler, maxRetries, ordered, rateLimit, description, pausedReason);
    }

    public SubscriptionUpdate withPausedReason(String pausedReason) {
        return new SubscriptionUpdate(status, handler, maxRetries, ordered, rateLimit, description, pausedReason);
    }

    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        NewAction.putIfSet(body, "status", status);
        NewAction.putIfSet(body, "handler", handler);
        NewAction.putIfSet(body, "max_retries", maxRetries);
        NewAction.putIfSet(body, "ordered", ordered);
        NewAction.putIfSet(body, "rate_limit", rateLimit);
        NewAction.putIfSet(body, "description", description);
        NewAction.putIfSet(body, "paused_reason", pausedReason);
        return body;
    }
}
