package io.amebo.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.contract.WebhookSignatures;
import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Received;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole product in this JVM, on random ports and a temporary data directory: the seed example's registrations,
 * a publish, a signed delivery to a real local receiver; then a clean stop and a restart on the same data.
 */
class StandaloneIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path data;

    private int postgresPort;

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private StandaloneApplication.Standalone standalone;

    @AfterEach
    void stop() {
        if (standalone != null) {
            standalone.close();
        }
        receiver.close();
    }

    @Test
    void runsTheSeedFlowAndPicksUpWhereItStoppedAfterARestart() throws Exception {
        postgresPort = freePort();
        Map<String, String> env = Map.of(
                "AMEBO_DATA_DIR", data.toString(),
                "SERVER_PORT", String.valueOf(freePort()),
                "AMEBO_KAFKA_PORT", String.valueOf(freePort()),
                "AMEBO_KAFKA_CONTROLLER_PORT", String.valueOf(freePort()),
                "AMEBO_POSTGRES_PORT", String.valueOf(postgresPort));
        // addresses of another Kafka and PostgreSQL left in the JVM's system properties (as a test harness or
        // JAVA_TOOL_OPTIONS leaves them) must not take the services away from the ones the standalone starts
        Map<String, String> stray = Map.of(
                "spring.kafka.bootstrap-servers", "localhost:1",
                "spring.r2dbc.url", "r2dbc:postgresql://localhost:1/elsewhere",
                "spring.flyway.url", "jdbc:postgresql://localhost:1/elsewhere");
        Map<String, String> before = new java.util.HashMap<>();
        stray.forEach((name, value) -> {
            before.put(name, System.getProperty(name));
            System.setProperty(name, value);
        });
        try {
            standalone = StandaloneApplication.start(env);
        } finally {
            before.forEach((name, value) -> {
                if (value == null) {
                    System.clearProperty(name);
                } else {
                    System.setProperty(name, value);
                }
            });
        }
        String admin = "Bearer " + Files.readString(data.resolve("admin-token")).trim();
        assertOnlyThePasswordOpensTheDatabase(
                Files.readString(data.resolve("postgres-password")).trim());
        WebTestClient http = client(standalone.port());
        http.get()
                .uri("/health/ready")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.components.kafka.status")
                .isEqualTo("UP")
                .jsonPath("$.components.r2dbc.status")
                .isEqualTo("UP");
        http.get()
                .uri("/health")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.components.kafka.status")
                .isEqualTo("UP")
                .jsonPath("$.components.r2dbc.status")
                .isEqualTo("UP")
                .jsonPath("$.components.diskSpace.status")
                .isEqualTo("UP");

        post(http, "/v1/applications", admin, """
                {"application": "user-service", "address": "https://users.myapp.com", "secret": "user-service-secret"}""");
        post(http, "/v1/applications", admin, """
                {"application": "email-service", "address": "%s", "secret": "email-service-secret"}""".formatted(receiver.url("/")));
        String userService = basic("user-service", "user-service-secret");
        post(http, "/v1/actions", userService, """
                {"action": "user.created", "application": "user-service",
                 "schemata": {"type": "object",
                   "properties": {"user_id": {"type": "string"}, "email": {"type": "string", "format": "email"},
                                  "name": {"type": "string"}, "plan": {"type": "string", "enum": ["free", "premium"]}},
                   "required": ["user_id", "email", "name"]}}""");
        post(http, "/v1/subscriptions", basic("email-service", "email-service-secret"), """
                {"application": "email-service", "subscription": "welcome-emails", "action": "user.created",
                 "handler": "/webhooks/user-created"}""");

        String first = publish(http, userService, "u1");

        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.count() == 1);
        assertDelivered(receiver.requests().get(0), first, "u1");

        standalone.close(); // a clean stop, as on SIGTERM
        standalone = StandaloneApplication.start(env);
        http = client(standalone.port());

        // everything registered is still there, earlier events are still queryable, new ones are delivered
        http.get()
                .uri("/v1/events/" + first)
                .header(HttpHeaders.AUTHORIZATION, userService)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.payload.user_id")
                .isEqualTo("u1");
        String second = publish(http, userService, "u2");
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.count() >= 2);
        assertDelivered(receiver.requests().get(1), second, "u2");
        // what was acknowledged before the clean stop is not delivered again
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 2);
        assertThat(receiver.requests()).extracting(r -> r.header("webhook-id")).containsExactly(first, second);

        // every metric the Grafana dashboard plots is in this real run's /metrics
        http.post()
                .uri("/v1/events")
                .header(HttpHeaders.AUTHORIZATION, userService)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"action\":\"user.created\",\"payload\":{}}")
                .exchange()
                .expectStatus()
                .isEqualTo(422);
        WebTestClient client = http;
        // gauges of breakers and lag appear with the dispatcher's first housekeeping round (every 5 s)
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String metrics = client.get()
                    .uri("/metrics")
                    .exchange()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody();
            assertThat(DeployArtifactsTest.dashboardMetrics())
                    .isNotEmpty()
                    .allSatisfy(metric -> assertThat(metrics)
                            .as("the dashboard plots %s", metric)
                            .contains(metric));
        });
    }

    private static String publish(WebTestClient http, String auth, String user) {
        JsonNode body = JSON.readTree(post(http, "/v1/events", auth, "request-" + user, """
                {"action": "user.created",
                 "payload": {"user_id": "%s", "email": "%s@example.com", "name": "Ada", "plan": "premium"}}""".formatted(user, user)));
        return body.path("id").asString();
    }

    /** The embedded PostgreSQL wants the password kept in the data directory; without it, nobody gets in. */
    private void assertOnlyThePasswordOpensTheDatabase(String password) throws Exception {
        String url = "jdbc:postgresql://localhost:" + postgresPort + "/amebo";
        try (var c = java.sql.DriverManager.getConnection(url, "postgres", password)) {
            assertThat(c.isValid(5)).isTrue();
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> java.sql.DriverManager.getConnection(url, "postgres", "")
                                .close())
                .isInstanceOf(java.sql.SQLException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> java.sql.DriverManager.getConnection(url, "postgres", "wrong-password")
                                .close())
                .isInstanceOf(java.sql.SQLException.class);
    }

    private static void assertDelivered(Received request, String id, String user) {
        assertThat(request.path()).isEqualTo("/webhooks/user-created");
        assertThat(request.header("webhook-id")).isEqualTo(id);
        assertThat(request.header("X-Request-Id"))
                .as("the publish's correlation id")
                .isEqualTo("request-" + user);
        assertThat(WebhookSignatures.of("email-service-secret")
                        .verifyStandard(
                                request.header("webhook-id"),
                                request.header("webhook-timestamp"),
                                request.header("webhook-signature"),
                                request.body(),
                                Instant.now(),
                                WebhookSignatures.DEFAULT_TOLERANCE))
                .isEqualTo(WebhookSignatures.Verification.VALID);
        JsonNode envelope = JSON.readTree(request.body());
        assertThat(envelope.path("payload").path("user_id").asString()).isEqualTo(user);
        assertThat(envelope.path("subscription").asString()).isEqualTo("welcome-emails");
    }

    private static byte[] post(WebTestClient http, String path, String auth, String json) {
        return post(http, path, auth, "test", json);
    }

    private static byte[] post(WebTestClient http, String path, String auth, String requestId, String json) {
        return http.post()
                .uri(path)
                .header(HttpHeaders.AUTHORIZATION, auth)
                .header("X-Request-Id", requestId)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json)
                .exchange()
                .expectStatus()
                .is2xxSuccessful()
                .expectBody()
                .returnResult()
                .getResponseBody();
    }

    private static WebTestClient client(int port) {
        return WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .build();
    }

    private static String basic(String application, String secret) {
        return "Basic "
                + Base64.getEncoder().encodeToString((application + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
