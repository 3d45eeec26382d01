package io.amebo.platform.web;

import io.amebo.contract.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one place errors become HTTP: every failure of a request, ours or the framework's (no route, wrong method,
 * body too large), is written as an RFC 9457 problem with Amebo's {@code error} member. Anything unexpected is a
 * 500 with a generic message and a log line; client input never takes that path.
 */
public final class ProblemRendering implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemRendering.class);

    private static final String RETRY_AFTER_SECONDS = "1";

    private final JsonMapper json;

    public ProblemRendering(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(failure);
        }
        Problem problem =
                toProblem(failure).withInstance(exchange.getRequest().getPath().value());
        response.setStatusCode(HttpStatusCode.valueOf(problem.status()));
        HttpHeaders headers = response.getHeaders();
        headers.set(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (failure instanceof ResponseStatusException status) {
            status.getHeaders().forEach((name, values) -> headers.put(name, values));
        }
        if (failure instanceof ProblemException known && known.retryAfter().isPresent()) {
            long seconds = Math.max(1, (known.retryAfter().get().toMillis() + 999) / 1000);
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        }
        if ((problem.status() == 503 || problem.status() == 429) && !headers.containsHeader(HttpHeaders.RETRY_AFTER)) {
            headers.set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS); // slow down, then try again (DESIGN §4)
        }
        byte[] body = json.writeValueAsBytes(problem);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    /** Maps any failure of a request to its problem. */
    public static Problem toProblem(Throwable failure) {
        if (failure instanceof ProblemException problem) {
            return problem.problem();
        }
        Throwable limit = findCause(failure, DataBufferLimitException.class);
        if (limit != null) {
            return ProblemException.tooLarge("the request body is larger than this server accepts")
                    .problem();
        }
        if (failure instanceof ResponseStatusException status) {
            return fromStatus(status);
        }
        if (failure instanceof InvalidMediaTypeException invalid) {
            return ProblemException.unsupportedMediaType(
                            "the Content-Type header is not a media type: " + invalid.getMediaType())
                    .problem();
        }
        if (failure instanceof DecodingException) {
            return ProblemException.badRequest("the request body could not be read")
                    .problem();
        }
        log.error("Unexpected failure while serving a request", failure);
        return Problem.of(500, "Internal Server Error", "the server failed unexpectedly; the failure is logged");
    }

    private static Problem fromStatus(ResponseStatusException status) {
        int code = status.getStatusCode().value();
        HttpStatus known = HttpStatus.resolve(code);
        String title = known == null ? "Error" : known.getReasonPhrase();
        String detail = switch (code) {
            case 404 -> "no such resource";
            case 405 -> "this method is not allowed here";
            case 406 -> "this resource cannot answer in the requested media type";
            case 415 -> "this media type is not supported here; send application/json";
            default -> status.getReason() != null ? status.getReason() : title.toLowerCase();
        };
        if (code >= 500) {
            log.error("Request failed with {}", code, status);
        }
        return Problem.of(code < 400 ? 500 : code, title, detail);
    }

    private static Throwable findCause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }
}
