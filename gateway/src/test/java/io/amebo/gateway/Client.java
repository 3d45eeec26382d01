package io.amebo.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** An HTTP client of a running service, plus the registrations most gateway tests start with. */
public final class Client {

    private final WebTestClient http;

    public Client(String baseUrl) {
        this.http = WebTestClient.bindToServer()
                .baseUrl(baseUrl)
                .responseTimeout(Duration.ofSeconds(30))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
                .build();
    }

    public WebTestClient http() {
        return http;
    }

    public WebTestClient.ResponseSpec post(String path, String authorization, String json) {
        WebTestClient.RequestBodySpec request = http.post().uri(path).contentType(MediaType.APPLICATION_JSON);
        if (authorization != null) {
            request = request.header(HttpHeaders.AUTHORIZATION, authorization);
        }
        return request.bodyValue(json).exchange();
    }

    public WebTestClient.ResponseSpec get(String path, String authorization) {
        return http.get()
                .uri(path)
                .header(HttpHeaders.AUTHORIZATION, authorization)
                .exchange();
    }

    public static String basic(String application, String secret) {
        return "Basic "
                + Base64.getEncoder().encodeToString((application + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /** Registers an application whose secret is {@code <name>-secret-0123456789}; returns its Basic credentials. */
    public String application(String name) {
        post(
                        "/v1/applications",
                        Services.ADMIN,
                        "{\"application\":\"%s\",\"address\":\"https://%s.example.com\",\"secret\":\"%s-secret-0123456789\"}"
                                .formatted(name, name, name))
                .expectStatus()
                .isCreated();
        return basic(name, name + "-secret-0123456789");
    }

    public void action(String name, String owner, String schema, String extra) {
        post(
                        "/v1/actions",
                        Services.ADMIN,
                        "{\"action\":\"%s\",\"application\":\"%s\",\"schemata\":%s%s}"
                                .formatted(name, owner, schema, extra.isEmpty() ? "" : "," + extra))
                .expectStatus()
                .isCreated();
    }

    public void subscribe(String application, String subscription, String action) {
        post(
                        "/v1/subscriptions",
                        Services.ADMIN,
                        "{\"application\":\"%s\",\"subscription\":\"%s\",\"action\":\"%s\",\"handler\":\"/hooks\"}"
                                .formatted(application, subscription, action))
                .expectStatus()
                .isCreated();
    }
}
