package io.amebo.platform.web;

import io.amebo.contract.Problem;
import io.amebo.contract.Problem.FieldError;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The services' one error vocabulary: a failure that already knows the problem response it becomes. Thrown or
 * signalled anywhere in a request; {@link ProblemRendering} writes it as {@code application/problem+json}.
 */
public final class ProblemException extends RuntimeException {

    private final transient Problem problem;
    private final transient Duration retryAfter;

    public ProblemException(Problem problem) {
        this(problem, null);
    }

    /** A problem caused by {@code cause}, which is kept for logs and for callers that must tell causes apart. */
    public ProblemException(Problem problem, Throwable cause) {
        this(problem, cause, null);
    }

    private ProblemException(Problem problem, Throwable cause, Duration retryAfter) {
        super(problem.detail(), cause, false, false); // an expected outcome: no stack trace to fill
        this.problem = problem;
        this.retryAfter = retryAfter;
    }

    public ProblemException causedBy(Throwable cause) {
        return new ProblemException(problem, cause, retryAfter);
    }

    /** When the client may try again, if the failure knows (the {@code Retry-After} of a 429 or 503). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public Problem problem() {
        return problem;
    }

    public int status() {
        return problem.status();
    }

    /** 400: the request could not be parsed at all. */
    public static ProblemException badRequest(String detail) {
        return new ProblemException(Problem.of(400, "Bad Request", detail));
    }

    /** 400 naming the failing query parameters or fields. */
    public static ProblemException badRequest(String detail, List<FieldError> errors) {
        return new ProblemException(Problem.invalid(400, "Bad Request", detail, errors));
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(Problem.of(401, "Unauthorized", detail));
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(Problem.of(403, "Forbidden", detail));
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(Problem.of(404, "Not Found", detail));
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(Problem.of(409, "Conflict", detail));
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(Problem.of(413, "Content Too Large", detail));
    }

    public static ProblemException unsupportedMediaType(String detail) {
        return new ProblemException(Problem.of(415, "Unsupported Media Type", detail));
    }

    /** 422: valid JSON whose content is wrong; {@code errors} names every failing field. */
    public static ProblemException unprocessable(String detail, List<FieldError> errors) {
        return new ProblemException(Problem.invalid(422, "Unprocessable Content", detail, errors));
    }

    /** 429: too many requests of this kind right now; the client may retry later (a Retry-After is added). */
    public static ProblemException tooManyRequests(String detail) {
        return new ProblemException(Problem.of(429, "Too Many Requests", detail));
    }

    /** 429 with the time after which a retry can succeed, sent as {@code Retry-After}. */
    public static ProblemException tooManyRequests(String detail, Duration retryAfter) {
        return new ProblemException(Problem.of(429, "Too Many Requests", detail), null, retryAfter);
    }

    /** 503: a dependency is unavailable; the client may retry. */
    public static ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(503, "Service Unavailable", detail));
    }
}
