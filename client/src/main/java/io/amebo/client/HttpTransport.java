package io.amebo.client;

import io.amebo.contract.Problem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends one call and returns Amebo's final answer: it authorizes the request, sends it again once with a fresh
 * credential after a 401, and again after a 429 or 503 as far as {@link RetryPolicy} allows. Any 2xx, 4xx or 5xx
 * answer is returned; no answer, or a 1xx/3xx one, is an {@link AmeboTransportException}. Thread-safe: it keeps no
 * state between calls.
 */
final class HttpTransport {

    /** One call: where, what, and whether it may be sent again. {@code body} is JSON, or null for none. */
    record Call(String method, URI uri, byte[] body, Idempotency idempotency, Map<String, String> headers) {

        String describe() {
            return method + " " + uri.getRawPath();
        }
    }

    /** An answer: its status, headers and body bytes. */
    record Reply(int status, HttpHeaders headers, byte[] body) {

        boolean ok() {
            return status >= 200 && status < 300;
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    private static final int EXCERPT = 200;

    private final HttpClient http;
    private final Duration requestTimeout;
    private final RetryPolicy policy;
    private final Clock clock;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final JsonMapper json;

    HttpTransport(
            HttpClient http,
            Duration requestTimeout,
            RetryPolicy policy,
            Clock clock,
            Sleeper sleeper,
            DoubleSupplier random,
            JsonMapper json) {
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.policy = policy;
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = random;
        this.json = json;
    }

    /** The final answer to {@code call}, 2xx or not. */
    Reply send(Call call, Authorization auth) {
        boolean reauthorized = false;
        for (int attempt = 1; ; attempt++) {
            String credential = auth.header();
            Reply reply = exchange(call, credential);
            if (reply.status() == 401 && !reauthorized && auth.refused(credential)) {
                reauthorized = true; // refused before anything happened: safe to send again, and not an attempt
                attempt--;
                continue;
            }
            Optional<Duration> wait = reply.ok()
                    ? Optional.empty()
                    : policy.delay(
                            call.idempotency(),
                            attempt,
                            reply.status(),
                            reply.header("Retry-After").orElse(null),
                            clock.instant(),
                            random.getAsDouble());
            if (wait.isEmpty()) {
                return reply;
            }
            pause(call, wait.get());
        }
    }

    /** The 2xx answer to {@code call}; any other is thrown as an {@link AmeboApiException}. */
    Reply expect(Call call, Authorization auth) {
        Reply reply = send(call, auth);
        if (!reply.ok()) {
            throw failure(call, reply);
        }
        return reply;
    }

    /** The exception for a 4xx or 5xx answer: its problem as sent, or a summary of a body that was none. */
    AmeboApiException failure(Call call, Reply reply) {
        Duration retryAfter = RetryPolicy.parseRetryAfter(
                        reply.header("Retry-After").orElse(null), clock.instant())
                .orElse(null);
        return new AmeboApiException(call.describe(), problem(reply), retryAfter);
    }

    private Problem problem(Reply reply) {
        int status = reply.status();
        JsonNode body = null;
        try {
            body = reply.body().length == 0 ? null : json.readTree(reply.body());
        } catch (JacksonException e) {
            // not JSON: summarised below
        }
        if (body == null || !body.isObject()) {
            String text = new String(reply.body(), StandardCharsets.UTF_8).strip();
            String detail = text.isEmpty()
                    ? null
                    : "the answer was not a problem: " + text.substring(0, Math.min(EXCERPT, text.length()));
            return Problem.of(status, reason(status), detail);
        }
        return problem(status, body);
    }

    /**
     * The problem a JSON object describes, completed where it is silent: {@code about:blank}, the status's reason
     * phrase as title, {@code detail} and {@code error} standing in for each other. Batch results use it too.
     */
    static Problem problem(int status, JsonNode body) {
        String detail = body.path("detail").asString(null);
        String error = body.path("error").asString(detail);
        List<Problem.FieldError> errors = new ArrayList<>();
        for (JsonNode field : body.path("errors")) {
            if (field.hasNonNull("pointer") && field.hasNonNull("message")) {
                errors.add(new Problem.FieldError(
                        field.get("pointer").asString(), field.get("message").asString()));
            }
        }
        return new Problem(
                body.path("type").asString(Problem.ABOUT_BLANK),
                body.path("title").asString(reason(status)),
                status,
                detail != null ? detail : error,
                body.path("instance").asString(null),
                error,
                errors);
    }

    private Reply exchange(Call call, String credential) {
        HttpRequest.Builder request = HttpRequest.newBuilder(call.uri())
                .timeout(requestTimeout)
                .header("Accept", "application/json")
                .method(
                        call.method(),
                        call.body() == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(call.body()));
        if (call.body() != null) {
            request.header("Content-Type", "application/json");
        }
        if (credential != null) {
            request.header("Authorization", credential);
        }
        call.headers().forEach(request::header);
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AmeboTransportException(call.describe() + ": no answer (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AmeboTransportException(call.describe() + ": interrupted while waiting for the answer", e);
        }
        int status = response.statusCode();
        if (status < 200 || status >= 300 && status < 400) {
            throw new AmeboTransportException(
                    call.describe() + ": unexpected HTTP " + status + " (redirects are not followed)", null);
        }
        return new Reply(status, response.headers(), response.body());
    }

    private void pause(Call call, Duration wait) {
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AmeboTransportException(call.describe() + ": interrupted while waiting to retry", e);
        }
    }

    /** The reason phrase of the statuses Amebo answers with, as a problem's title when the answer had none. */
    static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "HTTP " + status;
        };
    }
}
