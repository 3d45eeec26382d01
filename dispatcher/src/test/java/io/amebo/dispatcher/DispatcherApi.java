package io.amebo.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The dispatcher's HTTP API as the admin uses it in tests: the delivery log, replays and redeliveries. */
public final class DispatcherApi {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String base;
    private final WebTestClient http;

    public DispatcherApi(ConfigurableApplicationContext dispatcher) {
        this.base = Fixtures.url(dispatcher);
        this.http = WebTestClient.bindToServer()
                .baseUrl(base)
                .responseTimeout(Duration.ofSeconds(30))
                .build();
    }

    public WebTestClient http() {
        return http;
    }

    /** The subscription's gists with {@code status} (any status when null). */
    public List<JsonNode> gists(String subscription, String status) {
        String query = "/v1/gists?subscription=" + subscription + (status == null ? "" : "&status=" + status)
                + "&pagination=100";
        byte[] body = http.get()
                .uri(query)
                .header(HttpHeaders.AUTHORIZATION, Fixtures.ADMIN)
                .accept(MediaType.APPLICATION_JSON)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody();
        List<JsonNode> list = new ArrayList<>();
        JSON.readTree(body).forEach(list::add);
        return list;
    }

    /** One page of a list and the path of the next one, from its {@code Link} header (null on the last page). */
    public record Page(List<JsonNode> items, String next) {}

    /** The page at {@code pathAndQuery}, sent as it is (already percent-encoded, as a {@code Link} gives it). */
    public Page page(String pathAndQuery) {
        var result = http.get()
                .uri(URI.create(base + pathAndQuery))
                .header(HttpHeaders.AUTHORIZATION, Fixtures.ADMIN)
                .accept(MediaType.APPLICATION_JSON)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult();
        List<JsonNode> items = new ArrayList<>();
        JSON.readTree(result.getResponseBody()).forEach(items::add);
        String link = result.getResponseHeaders().getFirst(HttpHeaders.LINK);
        if (link == null) {
            return new Page(items, null);
        }
        assertThat(link).endsWith(">; rel=\"next\"");
        return new Page(items, link.substring(1, link.indexOf('>')));
    }

    /** Starts a replay of {@code [from, to)} once the dispatcher knows the subscription; returns its progress URL. */
    public String replay(String subscription, Object from, Object to) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> new String(
                                http.get()
                                        .uri("/v1/subscriptions/" + subscription + "/replays/none")
                                        .header(HttpHeaders.AUTHORIZATION, Fixtures.ADMIN)
                                        .exchange()
                                        .expectBody()
                                        .returnResult()
                                        .getResponseBody(),
                                java.nio.charset.StandardCharsets.UTF_8)
                        .contains("no such replay"));
        return http.post()
                .uri("/v1/subscriptions/" + subscription + "/replay")
                .header(HttpHeaders.AUTHORIZATION, Fixtures.ADMIN)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"from\":\"" + from + "\",\"to\":\"" + to + "\"}")
                .exchange()
                .expectStatus()
                .isAccepted()
                .returnResult(String.class)
                .getResponseHeaders()
                .getLocation()
                .toString();
    }

    /** A replay's progress. */
    public JsonNode progress(String location) {
        byte[] body = http.get()
                .uri(location)
                .header(HttpHeaders.AUTHORIZATION, Fixtures.ADMIN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody();
        return JSON.readTree(body);
    }
}
