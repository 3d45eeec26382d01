package io.amebo.dispatcher.core;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The delay before the next attempt (DESIGN §5, Retries), as one pure function of the attempt number, the failure,
 * and a random source: exponential from {@code base} by {@code factor} up to {@code cap}, with jitter of at most
 * {@code jitter} of the delay either way; a {@code Retry-After} longer than that is honoured but capped; after a
 * timeout or a 429 the delay is at least {@code overloadFloor}.
 *
 * @param base the first retry's delay (default 1 s)
 * @param factor growth per attempt (default 2)
 * @param cap the longest delay (default 1 h)
 * @param jitter the fraction of the delay that jitter may add or remove (default 0.1)
 * @param overloadFloor the shortest delay after a timeout or a 429 (default 5 s)
 */
public record RetryPolicy(Duration base, double factor, Duration cap, double jitter, Duration overloadFloor) {

    public static final RetryPolicy DEFAULT =
            new RetryPolicy(Duration.ofSeconds(1), 2.0, Duration.ofHours(1), 0.1, Duration.ofSeconds(5));

    public RetryPolicy {
        if (base.isNegative() || base.isZero() || factor < 1 || cap.compareTo(base) < 0 || jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("invalid retry policy");
        }
    }

    /** The delay after failed attempt number {@code attempt} (1 for the first attempt). */
    public Duration delayAfter(int attempt, DeliveryOutcome.Failed failure, RandomGenerator random) {
        double exponential = base.toMillis() * Math.pow(factor, Math.max(0, attempt - 1));
        double capped = Math.min(exponential, cap.toMillis());
        double jittered = capped * (1 + jitter * (2 * random.nextDouble() - 1));
        long millis = Math.round(Math.min(jittered, cap.toMillis()));
        Optional<Duration> retryAfter = failure.retryAfter();
        if (retryAfter.isPresent()) {
            millis = Math.max(millis, Math.min(retryAfter.get().toMillis(), cap.toMillis()));
        }
        if (failure.overloaded()) {
            millis = Math.max(millis, overloadFloor.toMillis());
        }
        return Duration.ofMillis(millis);
    }
}
