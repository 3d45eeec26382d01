package io.amebo.client;

import io.amebo.contract.Problem;
import java.time.Duration;
import java.util.Optional;

/**
 * Amebo answered a call with a 4xx or 5xx status. {@link #problem()} is the RFC 9457 problem it sent (type, title,
 * status, detail, Amebo's one-line {@code error} and, for validation failures, {@code errors} naming every failing
 * field by JSON pointer); an answer that was not a problem (a proxy's HTML page) is summarised in one.
 *
 * <p>One type for every status, on purpose: branch on {@link #status()} ({@code 404}, {@code 409}, {@code 422},
 * ...), or on the helpers for the cases callers usually handle.
 */
public final class AmeboApiException extends AmeboException {

    private final Problem problem;
    private final Duration retryAfter;

    AmeboApiException(String request, Problem problem, Duration retryAfter) {
        super(message(request, problem), null);
        this.problem = problem;
        this.retryAfter = retryAfter;
    }

    /** The HTTP status of the answer. */
    public int status() {
        return problem.status();
    }

    public Problem problem() {
        return problem;
    }

    /** The answer's {@code Retry-After} (a 429 or 503 says when to try again), if it had one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public boolean isNotFound() {
        return status() == 404;
    }

    public boolean isConflict() {
        return status() == 409;
    }

    /** 401: the credentials were refused (a wrong secret, a token that stayed invalid after one refresh). */
    public boolean isUnauthorized() {
        return status() == 401;
    }

    /** 429: too many requests of this kind; {@link #retryAfter()} says when to try again. */
    public boolean isRateLimited() {
        return status() == 429;
    }

    private static String message(String request, Problem problem) {
        StringBuilder message = new StringBuilder(request)
                .append(" → ")
                .append(problem.status())
                .append(' ')
                .append(problem.title());
        if (problem.detail() != null) {
            message.append(": ").append(problem.detail());
        }
        for (Problem.FieldError error : problem.errors()) {
            String field = error.pointer() + " " + error.message();
            if (problem.detail() == null || !problem.detail().contains(field)) { // Amebo's detail often lists them
                message.append("; ").append(field);
            }
        }
        return message.toString();
    }
}
