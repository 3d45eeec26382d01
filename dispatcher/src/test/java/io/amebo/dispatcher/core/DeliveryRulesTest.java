package io.amebo.dispatcher.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each row of the one rule that live delivery, retries, replays and redeliveries all follow. */
class DeliveryRulesTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final RetryPolicy POLICY = RetryPolicy.DEFAULT;

    private static Decision decide(DeliveryOutcome outcome, int attempt, int maxRetries) {
        return DeliveryRules.decide(outcome, attempt, maxRetries, POLICY, NOW, new Random(7));
    }

    @Test
    void aTwoHundredIsDone() {
        assertThat(decide(new DeliveryOutcome.Delivered(204), 3, 5)).isEqualTo(new Decision.Done(204));
    }

    @Test
    void aFailureWithAttemptsLeftIsRetriedAsTheNextAttemptAfterThePolicysDelay() {
        DeliveryOutcome.Failed failed = new DeliveryOutcome.Failed(500, "HTTP 500", Optional.empty(), "oops");

        Decision decision = decide(failed, 2, 5);

        assertThat(decision).isInstanceOfSatisfying(Decision.Retry.class, retry -> {
            assertThat(retry.nextAttempt()).isEqualTo(3);
            assertThat(retry.failure()).isEqualTo(failed);
            assertThat(retry.due()).isEqualTo(NOW.plus(POLICY.delayAfter(2, failed, new Random(7))));
        });
    }

    @Test
    void theLastAttemptsFailureIsADeadLetterWithItsStatusErrorAndExcerpt() {
        DeliveryOutcome.Failed failed = new DeliveryOutcome.Failed(503, "HTTP 503", Optional.empty(), "busy");

        assertThat(decide(failed, 5, 5)).isEqualTo(new Decision.DeadLetter(5, 503, "HTTP 503", "busy"));
        assertThat(decide(failed, 1, 1)).isEqualTo(new Decision.DeadLetter(1, 503, "HTTP 503", "busy"));
    }

    @Test
    void aRefusedAddressIsDeadAtOnceWhateverTheAttemptsLeft() {
        assertThat(decide(new DeliveryOutcome.Refused("loopback"), 1, 5))
                .isEqualTo(new Decision.DeadLetter(1, 0, "loopback", null));
    }

    @Test
    void anAttemptNotMadeWaitsWithoutCountingAnAttempt() {
        assertThat(decide(new DeliveryOutcome.Deferred(Duration.ofSeconds(5)), 5, 5))
                .isEqualTo(new Decision.Wait(Duration.ofSeconds(5)));
    }

    @Test
    void goneIsNeverDoneButAPauseWhateverTheAttempt() {
        for (int attempt = 1; attempt <= 5; attempt++) {
            assertThat(decide(new DeliveryOutcome.Gone("bye"), attempt, 5))
                    .isEqualTo(new Decision.Pause("the handler answered 410 Gone", "bye"));
        }
    }
}
