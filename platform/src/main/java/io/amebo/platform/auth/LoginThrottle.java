package io.amebo.platform.auth;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds guessing an application's secret (DESIGN §4.1): after {@code failures} wrong secrets for one application
 * within {@code window}, its logins (Basic and {@code POST /v1/tokens}) are refused with 429 until the window has
 * moved on, whatever secret they carry; and at most {@code tokens} tokens are issued per application per window.
 * Kept per name in memory (per service instance), forgotten wholesale past {@code MAX_NAMES} names.
 */
public final class LoginThrottle {

    private static final int MAX_NAMES = 10_000;

    private final RateLimiterConfig failureConfig;
    private final RateLimiterConfig tokenConfig;
    private final Map<String, RateLimiter> failures = new ConcurrentHashMap<>();
    private final Map<String, RateLimiter> tokens = new ConcurrentHashMap<>();
    private final Duration window;

    public LoginThrottle(int failures, int tokens, Duration window) {
        this.window = window;
        this.failureConfig = config(failures, window);
        this.tokenConfig = config(tokens, window);
    }

    /** No limit at all (tests of other things, and services that issue no logins). */
    public static LoginThrottle unlimited() {
        return new LoginThrottle(Integer.MAX_VALUE / 2, Integer.MAX_VALUE / 2, Duration.ofSeconds(1));
    }

    private static RateLimiterConfig config(int permits, Duration window) {
        return RateLimiterConfig.custom()
                .limitForPeriod(permits)
                .limitRefreshPeriod(window)
                .timeoutDuration(Duration.ZERO)
                .build();
    }

    /** How long an application's logins stay refused: the window. */
    public Duration window() {
        return window;
    }

    /** Whether {@code application} has used up its wrong guesses for now. */
    public boolean locked(String application) {
        RateLimiter limiter = failures.get(application);
        return limiter != null && limiter.getMetrics().getAvailablePermissions() <= 0;
    }

    /** Counts a wrong secret for {@code application}. */
    public void failed(String application) {
        limiter(failures, application, failureConfig).acquirePermission();
    }

    /** Whether another token may be issued to {@code application} now (and counts it). */
    public boolean mayIssueToken(String application) {
        return limiter(tokens, application, tokenConfig).acquirePermission();
    }

    private static RateLimiter limiter(Map<String, RateLimiter> limiters, String name, RateLimiterConfig config) {
        if (limiters.size() > MAX_NAMES) {
            limiters.clear(); // a flood of made-up names must not grow memory without bound
        }
        return limiters.computeIfAbsent(name, n -> RateLimiter.of(n, config));
    }
}
