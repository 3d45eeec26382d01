package io.amebo.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A subscription to create ({@link Subscriptions#create(NewSubscription)}). Immutable; start from {@link #of}:
 *
 * <pre>{@code
 * NewSubscription.of("email-service", "welcome-emails", "user.created", "/webhooks/user-created").withMaxRetries(8)
 * }</pre>
 *
 * @param application the subscriber
 * @param subscription the subscription's name
 * @param handler an absolute http(s) URL, or a path resolved against the subscriber's address
 * @param maxRetries attempts in all before a delivery is dead, or null for the registry's default
 * @param ordered one delivery at a time per key, or null for unordered
 * @param rateLimit at most this many deliveries a second, or null for no limit
 */
public record NewSubscription(
        String application,
        String subscription,
        String action,
        String handler,
        Integer maxRetries,
        Boolean ordered,
        Integer rateLimit,
        String description) {

    public NewSubscription {
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(handler, "handler");
    }

    public static NewSubscription of(String application, String subscription, String action, String handler) {
        return new NewSubscription(application, subscription, action, handler, null, null, null, null);
    }

    public NewSubscription withMaxRetries(int maxRetries) {
        return new NewSubscription(
                application, subscription, action, handler, maxRetries, ordered, rateLimit, description);
    }

    public NewSubscription withOrdered(boolean ordered) {
        return new NewSubscription(
                application, subscription, action, handler, maxRetries, ordered, rateLimit, description);
    }

    public NewSubscription withRateLimit(int rateLimit) {
        return new NewSubscription(
                application, subscription, action, handler, maxRetries, ordered, rateLimit, description);
    }

    public NewSubscription withDescription(String description) {
        return new NewSubscription(
                application, subscription, action, handler, maxRetries, ordered, rateLimit, description);
    }

    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("application", application);
        body.put("subscription", subscription);
        body.put("action", action);
        body.put("handler", handler);
        NewAction.putIfSet(body, "max_retries", maxRetries);
        NewAction.putIfSet(body, "ordered", ordered);
        NewAction.putIfSet(body, "rate_limit", rateLimit);
        NewAction.putIfSet(body, "description", description);
        return body;
    }
}
