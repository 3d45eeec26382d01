package io.amebo.dispatcher.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = RetryPolicy.DEFAULT;
    private final Random random = new Random(42);

    @Test
    void growsExponentiallyWithBoundedJitterUpToTheCap() {
        DeliveryOutcome.Failed failure = failed(500, Optional.empty());
        for (int attempt = 1; attempt <= 20; attempt++) {
            long nominal = Math.min(
                    1000L << Math.min(attempt - 1, 30), Duration.ofHours(1).toMillis());
            Duration delay = policy.delayAfter(attempt, failure, random);
            assertThat(delay.toMillis())
                    .as("attempt %d", attempt)
                    .isBetween(
                            (long) (nominal * 0.9),
                            Math.min(
                                    (long) (nominal * 1.1) + 1,
                                    Duration.ofHours(1).toMillis()));
        }
    }

    @Test
    void honoursRetryAfterButCapsIt() {
        assertThat(policy.delayAfter(1, failed(503, Optional.of(Duration.ofSeconds(30))), random))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.delayAfter(1, failed(503, Optional.of(Duration.ofDays(2))), random))
                .isEqualTo(Duration.ofHours(1));
    }

    @Test
    void waitsAtLeastTheOverloadFloorAfterATimeoutOrA429() {
        assertThat(policy.delayAfter(1, failed(429, Optional.empty()), random))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(policy.delayAfter(
                        1, new DeliveryOutcome.Failed(0, "timeout: no answer", Optional.empty(), ""), random))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(policy.delayAfter(1, failed(500, Optional.empty()), random)).isLessThan(Duration.ofSeconds(2));
    }

    private static DeliveryOutcome.Failed failed(int status, Optional<Duration> retryAfter) {
        return new DeliveryOutcome.Failed(status, "HTTP " + status, retryAfter, "");
    }
}
