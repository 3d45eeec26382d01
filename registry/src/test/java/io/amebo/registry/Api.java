package io.amebo.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Calls to a running registry, as an HTTP client would make them. */
public final class Api {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    public static final String ADMIN = "Bearer " + ADMIN_TOKEN;

    private final WebTestClient http;

    public Api(WebTestClient http) {
        this.http = http;
    }

    public WebTestClient http() {
        return http;
    }

    public WebTestClient.ResponseSpec post(String path, String authorization, String json) {
        return send(http.post().uri(path), authorization, json);
    }

    public WebTestClient.ResponseSpec patch(String path, String authorization, String json) {
        return send(http.patch().uri(path), authorization, json);
    }

    public WebTestClient.ResponseSpec get(String path, String authorization) {
        WebTestClient.RequestHeadersSpec<?> spec = http.get().uri(path);
        if (authorization != null) {
            spec = spec.header(HttpHeaders.AUTHORIZATION, authorization);
        }
        return spec.exchange();
    }

    public WebTestClient.ResponseSpec delete(String path, String authorization) {
        return http.delete()
                .uri(path)
                .header(HttpHeaders.AUTHORIZATION, authorization)
                .exchange();
    }

    private static WebTestClient.ResponseSpec send(
            WebTestClient.RequestBodySpec spec, String authorization, String json) {
        WebTestClient.RequestBodySpec body = spec.contentType(MediaType.APPLICATION_JSON);
        if (authorization != null) {
            body = body.header(HttpHeaders.AUTHORIZATION, authorization);
        }
        return body.bodyValue(json).exchange();
    }

    public static String basic(String application, String secret) {
        return "Basic "
                + Base64.getEncoder().encodeToString((application + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /** Registers an application (as the admin) with a known secret. */
    public void application(String name, String address, String secret) {
        post(
                        "/v1/applications",
                        ADMIN,
                        "{\"application\":\"%s\",\"address\":\"%s\",\"secret\":\"%s\"}"
                                .formatted(name, address, secret))
                .expectStatus()
                .isCreated();
    }

    public void action(String name, String owner, String schema) {
        post(
                        "/v1/actions",
                        ADMIN,
                        "{\"action\":\"%s\",\"application\":\"%s\",\"schemata\":%s}".formatted(name, owner, schema))
                .expectStatus()
                .isCreated();
    }
}
