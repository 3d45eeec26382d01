package io.amebo.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private final RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(60), Duration.ofMillis(500));

    @Test
    void waitsWhatRetryAfterSaysInSeconds() {
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 1, 503, "7", NOW, 0.5)).contains(Duration.ofSeconds(7));
    }

    @Test
    void waitsUntilARetryAfterDate() {
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 1, 429, "Sun, 01 Mar 2026 12:00:30 GMT", NOW, 0.5))
                .contains(Duration.ofSeconds(30));
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 1, 429, "Sun, 01 Mar 2026 11:00:00 GMT", NOW, 0.5))
                .contains(Duration.ZERO);
    }

    @Test
    void givesUpRatherThanWaitLessThanARetryAfterBeyondTheCap() {
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 1, 429, "61", NOW, 0.5)).isEmpty();
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 1, 429, "60", NOW, 0.5)).contains(Duration.ofSeconds(60));
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 1, 429, "99999999999999999999999", NOW, 0.5))
                .isEmpty();
    }

    @Test
    void backsOffExponentiallyWithJitterWhenTheServerSaysNothing() {
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 1, 503, null, NOW, 0.5)).contains(Duration.ofMillis(500));
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 2, 503, "soon", NOW, 0.5))
                .contains(Duration.ofMillis(1000));
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 1, 503, null, NOW, 0.0)).contains(Duration.ofMillis(400));
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 1, 503, null, NOW, 0.999))
                .hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofMillis(599), Duration.ofMillis(600)));
        RetryPolicy many = new RetryPolicy(30, Duration.ofSeconds(60), Duration.ofMillis(500));
        assertThat(many.delay(Idempotency.IDEMPOTENT, 20, 503, null, NOW, 0.5)).contains(Duration.ofSeconds(60));
    }

    @Test
    void stopsAfterTheLastAttempt() {
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 2, 503, "1", NOW, 0.5)).isPresent();
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 3, 503, "1", NOW, 0.5)).isEmpty();
    }

    @Test
    void retriesOnlyWhatTheCallAllows() {
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 1, 500, "1", NOW, 0.5)).isEmpty();
        assertThat(policy.delay(Idempotency.IDEMPOTENT, 1, 404, "1", NOW, 0.5)).isEmpty();
        assertThat(policy.delay(Idempotency.REFUSED_ONLY, 1, 429, "1", NOW, 0.5))
                .isPresent();
        assertThat(policy.delay(Idempotency.REFUSED_ONLY, 1, 503, "1", NOW, 0.5))
                .isEmpty();
        assertThat(policy.delay(Idempotency.NEVER, 1, 429, "1", NOW, 0.5)).isEmpty();
        assertThat(policy.delay(Idempotency.NEVER, 1, 503, "1", NOW, 0.5)).isEmpty();
    }

    @Test
    void keepsATenthOfATokensLifeAtMostAMinuteInHand() {
        assertThat(ApplicationTokens.margin(Duration.ofHours(1))).isEqualTo(Duration.ofSeconds(60));
        assertThat(ApplicationTokens.margin(Duration.ofSeconds(100))).isEqualTo(Duration.ofSeconds(10));
        assertThat(ApplicationTokens.margin(Duration.ZERO)).isEqualTo(Duration.ZERO);
    }
}
