package io.amebo.client;

import static io.amebo.client.Calls.Service.DISPATCHER;

import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The delivery log on the dispatcher: {@code GET /v1/gists} and {@code POST /v1/regists/{gist}}. An application sees
 * the deliveries of its own subscriptions, the admin all. Get it from {@link AmeboClient#gists()}.
 */
public final class Gists {

    private final Calls calls;

    Gists(Calls calls) {
        this.calls = calls;
    }

    /** Filters for {@link #list(Filter)}; null members filter nothing. Start from {@link #ALL}. */
    public record Filter(String subscription, String action, String status, Instant from, Instant to) {

        public static final Filter ALL = new Filter(null, null, null, null, null);

        public Filter withSubscription(String subscription) {
            return new Filter(subscription, action, status, from, to);
        }

        public Filter withAction(String action) {
            return new Filter(subscription, action, status, from, to);
        }

        /** {@code pending}, {@code delivered}, {@code failed} or {@code dead}. */
        public Filter withStatus(String status) {
            return new Filter(subscription, action, status, from, to);
        }

        /** Recorded in {@code [from, to)}; either may be null. */
        public Filter withRecorded(Instant from, Instant to) {
            return new Filter(subscription, action, status, from, to);
        }

        Query query() {
            return new Query()
                    .add("subscription", subscription)
                    .add("action", action)
                    .add("status", status)
                    .add("from", from)
                    .add("to", to);
        }
    }

    /** Every delivery the caller may see, page after page as the stream is consumed. */
    public Stream<Gist> list() {
        return list(Filter.ALL);
    }

    public Stream<Gist> list(Filter filter) {
        return calls.list(DISPATCHER, "v1/gists", filter.query(), Gist.class);
    }

    /** Delivers the event of one delivery record again, now (even while the breaker is open), and says how it went. */
    public Redelivery redeliver(String gist) {
        return calls.request(
                "POST",
                DISPATCHER,
                Calls.path("v1/regists", gist),
                Map.of(),
                Idempotency.REFUSED_ONLY,
                Redelivery.class);
    }
}
