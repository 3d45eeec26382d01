package io.amebo.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain HTTP client for black-box tests of a running product that, unlike {@link RunningProduct#send}, sends extra
 * request headers ({@code X-Request-Id}, {@code Accept}) and keeps the answer's headers ({@code Link},
 * {@code X-Request-Id}, {@code Location}).
 */
final class ProductHttp {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** An answer: status, headers and body as text. */
    record Answer(int status, HttpHeaders headers, String body) {

        /** The first value of a header (any case), or null. */
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        String contentType() {
            return header("Content-Type");
        }

        JsonNode json() {
            return JSON.readTree(body);
        }

        /** The body as one JSON value per line (NDJSON). */
        List<JsonNode> lines() {
            return body.lines()
                    .filter(line -> !line.isBlank())
                    .map(JSON::readTree)
                    .toList();
        }

        /** The target of a {@code Link: <...>; rel="next"} header, or null. */
        String next() {
            String link = header("Link");
            if (link == null || !link.contains("rel=\"next\"")) {
                return null;
            }
            return link.substring(link.indexOf('<') + 1, link.indexOf('>'));
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    ProductHttp(String base) {
        this.base = base;
    }

    Answer get(String path, String authorization, String... headers) {
        return send("GET", path, authorization, null, null, headers);
    }

    Answer post(String path, String authorization, String json, String... headers) {
        return send("POST", path, authorization, "application/json", bytes(json), headers);
    }

    Answer patch(String path, String authorization, String json, String... headers) {
        return send("PATCH", path, authorization, "application/json", bytes(json), headers);
    }

    Answer delete(String path, String authorization) {
        return send("DELETE", path, authorization, null, null);
    }

    /**
     * Sends exactly these bytes with this content type (either may be null) and the extra headers, given as name,
     * value, name, value, ...
     */
    Answer send(String method, String path, String authorization, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : base + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response =
                    http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String json) {
        return json == null ? null : json.getBytes(StandardCharsets.UTF_8);
    }
}
