package io.amebo.platform.web;

import io.amebo.contract.Problem.FieldError;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.springframework.web.reactive.function.server.ServerRequest;

/** Query parameters every list and query reads the same way; a bad value is a 400 naming the parameter. */
public final class QueryParams {

    private QueryParams() {}

    /** An ISO-8601 UTC instant, or empty when the parameter is absent or blank. */
    public static Optional<Instant> time(ServerRequest request, String name) {
        return request.queryParam(name).filter(v -> !v.isBlank()).map(v -> {
            try {
                return Instant.parse(v.trim());
            } catch (DateTimeParseException e) {
                throw invalid(name, "must be an ISO-8601 UTC time such as 2026-01-01T00:00:00Z");
            }
        });
    }

    /** A whole number in {@code [min, max]}, or {@code fallback} when the parameter is absent or blank. */
    public static int number(ServerRequest request, String name, int min, int max, int fallback) {
        Optional<String> text = request.queryParam(name).filter(v -> !v.isBlank());
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.get().trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(name, "must be a whole number from " + min + " to " + max);
    }

    /** One of {@code allowed}, or empty when the parameter is absent; anything else is a 400 naming it. */
    public static Optional<String> oneOf(ServerRequest request, String name, List<String> allowed) {
        Optional<String> value = request.queryParam(name);
        if (value.isPresent() && !allowed.contains(value.get())) {
            throw invalid(name, "must be one of " + String.join(", ", allowed));
        }
        return value;
    }

    private static ProblemException invalid(String name, String problem) {
        return ProblemException.badRequest(name + " " + problem, List.of(new FieldError("/" + name, problem)));
    }
}
