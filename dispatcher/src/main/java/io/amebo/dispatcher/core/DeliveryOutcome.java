package io.amebo.dispatcher.core;

import java.time.Duration;
import java.util.Optional;

/** What one delivery attempt came to, as a value; mapped to ack / retry / dead / pause in one place. */
public sealed interface DeliveryOutcome {

    /** Any 2xx; {@code responseExcerpt} is the first 1 KiB of its body, null when it had none. */
    record Delivered(int status, String responseExcerpt) implements DeliveryOutcome {

        public Delivered(int status) {
            this(status, null);
        }
    }

    /**
     * The attempt failed and may succeed later: a non-2xx status (3xx included: redirects are not followed), a
     * timeout or a connection error. {@code status} is 0 when there was no response.
     */
    record Failed(int status, String error, Optional<Duration> retryAfter, String responseExcerpt)
            implements DeliveryOutcome {

        public boolean overloaded() {
            return status == 429 || status == 0 && error.startsWith("timeout");
        }
    }

    /** 410 Gone: the handler asks not to be called again; the subscription is paused. */
    record Gone(String responseExcerpt) implements DeliveryOutcome {}

    /** Never sent: the handler's address is refused (e.g. private); retrying cannot help. */
    record Refused(String reason) implements DeliveryOutcome {}

    /**
     * Not attempted: the subscription's circuit breaker is open, it is over its rate limit, or its subscriber is not
     * known yet; the event waits {@code retryIn}, and no attempt is counted.
     */
    record Deferred(Duration retryIn) implements DeliveryOutcome {}
}
