package io.amebo.dispatcher.core;

import java.time.Duration;
import java.time.Instant;

/**
 * What is done with an event after one attempt to deliver it (DESIGN §5), decided by {@link DeliveryRules#decide}
 * and carried out by the dispatcher's executor in one way for live delivery, retries, replays and redeliveries.
 */
public sealed interface Decision {

    /** Delivered: nothing is left to do. */
    record Done(int status, String responseExcerpt) implements Decision {

        public Done(int status) {
            this(status, null);
        }
    }

    /** Failed with attempts left: attempt number {@code nextAttempt} is due at {@code due}. */
    record Retry(Instant due, int nextAttempt, DeliveryOutcome.Failed failure) implements Decision {}

    /**
     * No attempt left, or one that cannot succeed (the handler's address is refused): the delivery is dead, after
     * {@code attempts} attempts. {@code lastStatus} is 0 when there was no response.
     */
    record DeadLetter(int attempts, int lastStatus, String error, String responseExcerpt) implements Decision {}

    /** Not attempted (breaker open, over the rate limit, subscriber not known yet): the same attempt, later. */
    record Wait(Duration duration) implements Decision {}

    /**
     * The handler answered 410 Gone: the subscription is paused with {@code reason}, and the event is delivered
     * after it resumes. Never done: the event is held or put back, never committed away.
     */
    record Pause(String reason, String responseExcerpt) implements Decision {}
}
