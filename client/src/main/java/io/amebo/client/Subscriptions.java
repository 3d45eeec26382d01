package io.amebo.client;

import static io.amebo.client.Calls.Service.DISPATCHER;
import static io.amebo.client.Calls.Service.REGISTRY;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * {@code /v1/subscriptions}: subscribe, read, pause and resume, change, delete (the registry); replay a time range
 * and re-queue dead deliveries (the dispatcher). Get it from {@link AmeboClient#subscriptions()}.
 */
public final class Subscriptions {

    private static final String PATH = "v1/subscriptions";

    private final Calls calls;

    Subscriptions(Calls calls) {
        this.calls = calls;
    }

    /** Filters for {@link #list(Filter)}; null members filter nothing. Start from {@link #ALL}. */
    public record Filter(String application, String action, String status, Instant from, Instant to) {

        public static final Filter ALL = new Filter(null, null, null, null, null);

        /** Subscribers whose name contains this text. */
        public Filter withApplication(String application) {
            return new Filter(application, action, status, from, to);
        }

        /** Actions whose name contains this text. */
        public Filter withAction(String action) {
            return new Filter(application, action, status, from, to);
        }

        /** {@code active} or {@code paused}. */
        public Filter withStatus(String status) {
            return new Filter(application, action, status, from, to);
        }

        /** Created in {@code [from, to)}; either may be null. */
        public Filter withCreated(Instant from, Instant to) {
            return new Filter(application, action, status, from, to);
        }

        Query query() {
            return new Query()
                    .add("application", application)
                    .add("action", action)
                    .add("status", status)
                    .add("from", from)
                    .add("to", to);
        }
    }

    /** Subscribes {@code application}'s {@code handler} to {@code action}, with the registry's defaults. */
    public Subscription create(String application, String subscription, String action, String handler) {
        return create(NewSubscription.of(application, subscription, action, handler));
    }

    public Subscription create(NewSubscription subscription) {
        return calls.request("POST", REGISTRY, PATH, subscription.body(), Idempotency.REFUSED_ONLY, Subscription.class);
    }

    public Subscription get(String subscription) {
        return calls.get(REGISTRY, Calls.path(PATH, subscription), Subscription.class);
    }

    /** The caller's subscriptions (the admin: all), page after page as the stream is consumed. */
    public Stream<Subscription> list() {
        return list(Filter.ALL);
    }

    public Stream<Subscription> list(Filter filter) {
        return calls.list(REGISTRY, PATH, filter.query(), Subscription.class);
    }

    public Subscription update(String subscription, SubscriptionUpdate update) {
        return calls.request(
                "PATCH",
                REGISTRY,
                Calls.path(PATH, subscription),
                update.body(),
                Idempotency.IDEMPOTENT,
                Subscription.class);
    }

    /** Stops deliveries; events wait in Kafka until {@link #resume}. */
    public Subscription pause(String subscription) {
        return update(subscription, SubscriptionUpdate.NONE.withStatus("paused"));
    }

    public Subscription resume(String subscription) {
        return update(subscription, SubscriptionUpdate.NONE.withStatus("active"));
    }

    public void delete(String subscription) {
        calls.delete(REGISTRY, Calls.path(PATH, subscription));
    }

    /** Delivers again, with their original ids, the events appended from {@code from} until now. */
    public Replay replay(String subscription, Instant from) {
        return replay(subscription, from, null);
    }

    /**
     * Delivers again, with their original ids, the events appended in {@code [from, to)}, on a consumer of its own
     * (live delivery goes on). Answers at once; follow it with {@link #getReplay}. A 429 (too many replays running)
     * is retried as far as its {@code Retry-After} allows.
     */
    public Replay replay(String subscription, Instant from, Instant to) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", from.toString());
        NewAction.putIfSet(body, "to", to == null ? null : to.toString());
        return calls.request(
                "POST",
                DISPATCHER,
                Calls.path(PATH, subscription) + "/replay",
                body,
                Idempotency.REFUSED_ONLY,
                Replay.class);
    }

    public Replay getReplay(String subscription, String replay) {
        return calls.get(DISPATCHER, Calls.path(Calls.path(PATH, subscription) + "/replays", replay), Replay.class);
    }

    /** Sends every dead delivery of the subscription back for delivery, with a fresh attempt count; how many. */
    public long redeliverDead(String subscription) {
        JsonNode answer = calls.request(
                "POST",
                DISPATCHER,
                Calls.path(PATH, subscription) + "/redeliver",
                Map.of("status", "dead"),
                Idempotency.REFUSED_ONLY,
                JsonNode.class);
        return answer.path("requeued").asLong(0);
    }
}
