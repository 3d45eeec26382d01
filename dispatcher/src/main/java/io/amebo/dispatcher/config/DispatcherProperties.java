package io.amebo.dispatcher.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How deliveries are made ({@code amebo.dispatcher.*}; DESIGN §5).
 *
 * @param requestTimeout how long one delivery attempt may take before it counts as failed; default 10 s
 * @param maxInFlight deliveries in flight per subscription (unordered mode); default 64
 * @param retryBase the first retry's delay; default 1 s
 * @param retryCap the longest delay between attempts; default 1 h
 * @param overloadFloor the shortest delay after a timeout or a 429; default 5 s
 * @param breakerFailureRate percentage of failed attempts (of the last 20) that opens a subscription's breaker;
 *     default 50
 * @param breakerMinimumCalls attempts a breaker must have seen before it may open; default 5
 * @param breakerOpenFor how long an open breaker waits before letting a probe through; default 5 s
 * @param pauseAfter how long a handler may keep failing (breaker not closed) before its subscription is paused,
 *     with the reason, in the registry; default 1 h
 * @param allowPrivateAddresses deliver to handlers that resolve to private or link-local addresses; default false
 * @param allowLoopback deliver to handlers that resolve to loopback; default false (the standalone allows it)
 * @param registryUrl the registry, told when a handler answers 410 Gone; default http://localhost:3311
 * @param gistRetention how long delivery records are kept; default 14 days
 * @param replicationFactor replicas of the retry and dead-letter topics; default 1
 * @param retryRetention retention of the retry topics (a record waits on one for at most an hour) and of the gist
 *     journal (how long its writer may be away); default 7 days
 * @param shutdownGrace how long a stopping worker lets deliveries in flight finish before its last commit; default
 *     5 s
 * @param commitInterval how often a running worker commits what has settled; default 200 ms
 * @param rateLimitHorizon how far ahead a rate-limited delivery may reserve its turn (waiting on a timer); a
 *     delivery further out waits and asks again; default 2 s
 * @param pausedRetryWait how long an event of a paused subscription waits before it is looked at again; default 1
 *     min
 * @param sendBackoff the first wait before writing a retry or dead letter again after Kafka refused it; doubles up
 *     to {@code sendBackoffCap}; default 500 ms
 * @param sendBackoffCap the longest wait between two tries of such a write; default 30 s
 * @param maxReplays replays running at once on one dispatcher; more are refused with 429; default 8
 * @param maxReplaysPerSubscription replays of one subscription running at once; default 2
 */
@Validated
@ConfigurationProperties("amebo.dispatcher")
public record DispatcherProperties(
        @DefaultValue("10s") @NotNull Duration requestTimeout,
        @DefaultValue("64") @Min(1) @Max(10_000) int maxInFlight,
        @DefaultValue("1s") @NotNull Duration retryBase,
        @DefaultValue("1h") @NotNull Duration retryCap,
        @DefaultValue("5s") @NotNull Duration overloadFloor,

        @DefaultValue("50") @DecimalMin("1") @DecimalMax("100")
        float breakerFailureRate,

        @DefaultValue("5") @Min(1) @Max(1_000_000) int breakerMinimumCalls,

        @DefaultValue("5s") @NotNull Duration breakerOpenFor,
        @DefaultValue("1h") @NotNull Duration pauseAfter,
        @DefaultValue("false") boolean allowPrivateAddresses,
        @DefaultValue("false") boolean allowLoopback,
        @DefaultValue("http://localhost:3311") @NotBlank String registryUrl,
        @DefaultValue("14d") @NotNull Duration gistRetention,
        @DefaultValue("1") @Min(1) @Max(32) short replicationFactor,
        @DefaultValue("7d") @NotNull Duration retryRetention,
        @DefaultValue("5s") @NotNull Duration shutdownGrace,
        @DefaultValue("200ms") @NotNull Duration commitInterval,
        @DefaultValue("2s") @NotNull Duration rateLimitHorizon,
        @DefaultValue("1m") @NotNull Duration pausedRetryWait,
        @DefaultValue("500ms") @NotNull Duration sendBackoff,
        @DefaultValue("30s") @NotNull Duration sendBackoffCap,
        @DefaultValue("8") @Min(1) @Max(1000) int maxReplays,
        @DefaultValue("2") @Min(1) @Max(1000) int maxReplaysPerSubscription) {

    public DispatcherProperties {
        if (retryRetention != null && retryRetention.compareTo(Duration.ofHours(2)) < 0) {
            throw new IllegalArgumentException("amebo.dispatcher.retry-retention must be at least 2h: a retry record"
                    + " waits on its topic for up to an hour, " + retryRetention + " was given");
        }
        if (rateLimitHorizon != null && (rateLimitHorizon.isNegative() || rateLimitHorizon.isZero())) {
            throw new IllegalArgumentException("amebo.dispatcher.rate-limit-horizon must be positive");
        }
    }
}
