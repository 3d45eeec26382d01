package io.amebo.client;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * When a failed call is sent again: one pure function of (what the call is, attempt, status, {@code Retry-After},
 * clock, random), so that every branch is tested without a server.
 *
 * <ul>
 *   <li>only statuses the call's {@link Idempotency} allows, and at most {@code maxAttempts} attempts in all;
 *   <li>the server's {@code Retry-After} (seconds or an HTTP-date) when it sent one; if that is later than
 *       {@code maxDelay}, the call is not retried at all: the caller gets the error and its
 *       {@link AmeboApiException#retryAfter()} rather than a wait that the server said is too short;
 *   <li>else {@code firstBackoff × 2^(attempt-1)}, ±20 % jitter, at most {@code maxDelay}.
 * </ul>
 */
record RetryPolicy(int maxAttempts, Duration maxDelay, Duration firstBackoff) {

    static final int DEFAULT_MAX_ATTEMPTS = 3;
    static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(60);
    static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofMillis(500);

    RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts counts the first attempt, so it is at least 1");
        }
        if (maxDelay.isNegative() || firstBackoff.isNegative()) {
            throw new IllegalArgumentException("retry delays cannot be negative");
        }
    }

    /**
     * How long to wait before attempt {@code attempt + 1}, or empty to give up.
     *
     * @param attempt the attempt that just failed, from 1
     * @param retryAfter the answer's {@code Retry-After} header, or null
     * @param random a number in [0, 1) for the jitter
     */
    Optional<Duration> delay(
            Idempotency idempotency, int attempt, int status, String retryAfter, Instant now, double random) {
        if (attempt >= maxAttempts || !idempotency.retries(status)) {
            return Optional.empty();
        }
        Optional<Duration> asked = parseRetryAfter(retryAfter, now);
        if (asked.isPresent()) {
            return asked.get().compareTo(maxDelay) > 0 ? Optional.empty() : asked;
        }
        double exponential = firstBackoff.toMillis() * Math.pow(2, attempt - 1) * (0.8 + 0.4 * random);
        return Optional.of(Duration.ofMillis((long) Math.min(exponential, maxDelay.toMillis())));
    }

    /** A {@code Retry-After} value: delay-seconds or an HTTP-date; empty when absent or unreadable. */
    static Optional<Duration> parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.trim();
        if (value.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
            } catch (NumberFormatException e) {
                return Optional.of(Duration.ofSeconds(Long.MAX_VALUE)); // more digits than a long: "never"
            }
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
