package io.amebo.standalone.checker;

import io.amebo.standalone.checker.Checks.Gist;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Amebo's public HTTP API as the checker uses it: the registry's (applications, actions, subscriptions), the
 * gateway's publish, and a dispatcher's delivery log. Blocking, with a timeout on every call.
 */
final class AmeboApi {

    static final String ADMIN_TOKEN = "checker-admin-token-0123456789";
    static final String ADMIN = "Bearer " + ADMIN_TOKEN;

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An answer: its status and its body, parsed when it is JSON. */
    record Answer(int status, String body) {

        boolean ok() {
            return status >= 200 && status < 300;
        }

        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    static String basic(String application, String secret) {
        return "Basic "
                + Base64.getEncoder().encodeToString((application + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    /**
     * What the reproductions start with: the applications {@code pub} and {@code sub} (whose address is unused:
     * subscriptions name absolute handlers) and {@code pub}'s action {@code action} with {@code partitions}.
     */
    void registerPublisherAndSubscriber(String amebo, String action, int partitions) {
        expectOk(
                "POST",
                amebo + "/v1/applications",
                ADMIN,
                json(Map.of(
                        "application",
                        "pub",
                        "address",
                        "https://pub.example.com",
                        "secret",
                        "pub-secret-0123456789")));
        expectOk(
                "POST",
                amebo + "/v1/applications",
                ADMIN,
                json(Map.of("application", "sub", "address", "http://127.0.0.1:9", "secret", "sub-secret-0123456789")));
        expectOk(
                "POST",
                amebo + "/v1/actions",
                ADMIN,
                json(Map.of(
                        "action",
                        action,
                        "application",
                        "pub",
                        "partitions",
                        partitions,
                        "schemata",
                        Map.of("type", "object"))));
    }

    Answer call(String method, String url, String authorization, String body) {
        return call(method, url, authorization, body, "application/json");
    }

    /** Prometheus metrics of a service: its {@code /metrics} as text. */
    Answer metrics(String serviceUrl) {
        return call("GET", serviceUrl + "/metrics", ADMIN, null, "text/plain");
    }

    private Answer call(String method, String url, String authorization, String body, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(TIMEOUT)
                .header("Authorization", authorization)
                .header("Accept", accept);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        try {
            HttpResponse<String> response =
                    http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "interrupted");
        }
    }

    /** A call that must succeed (a registration): anything but a 2xx stops the run with the answer. */
    JsonNode expectOk(String method, String url, String authorization, String body) {
        Answer answer = call(method, url, authorization, body);
        if (!answer.ok()) {
            throw new IllegalStateException(method + " " + url + " answered " + answer.status() + ": " + answer.body());
        }
        return answer.body().isEmpty() ? null : answer.json();
    }

    /** Every gist of a subscription, page by page. */
    List<Gist> gists(String dispatcherUrl, String subscription, String status) {
        List<Gist> all = new ArrayList<>();
        for (int page = 1; ; page++) {
            String url =
                    dispatcherUrl + "/v1/gists?subscription=" + URLEncoder.encode(subscription, StandardCharsets.UTF_8)
                            + (status == null ? "" : "&status=" + status) + "&pagination=100&page=" + page;
            JsonNode items = expectOk("GET", url, ADMIN, null);
            for (JsonNode item : items) {
                all.add(new Gist(
                        item.path("event").asString(),
                        item.path("status").asString(),
                        item.path("attempts").asInt(),
                        item.path("last_status").isNumber()
                                ? item.path("last_status").asInt()
                                : null,
                        item.path("last_error").isNull()
                                ? null
                                : item.path("last_error").asString(),
                        Instant.parse(item.path("updated").asString()).toEpochMilli()));
            }
            if (items.size() < 100) {
                return all;
            }
        }
    }
}
