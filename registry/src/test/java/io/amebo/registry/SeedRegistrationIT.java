package io.amebo.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The registration requests of the seed example (shared/seed/microservices-example.md), sent unchanged apart from
 * an Authorization header, and each change visible on the amebo.registry changelog.
 */
@RealInfrastructure
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s") // a shared CI machine can stall a request for seconds
@ActiveProfiles("test")
class SeedRegistrationIT {

    @Autowired
    private WebTestClient http;

    @Test
    void theSeedsRegistrationsSucceedAndReachTheChangelog(SharedKafka kafka) throws Exception {
        Api api = new Api(http);

        api.post("/v1/applications", Api.ADMIN, """
                {
                "application": "user-service",
                "address": "https://users.myapp.com",
                "secret": "user-service-secret"
                }""")
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.application")
                .isEqualTo("user-service")
                .jsonPath("$.secret")
                .isEqualTo("user-service-secret");

        api.post("/v1/actions", Api.basic("user-service", "user-service-secret"), """
                {
                "action": "user.created",
                "application": "user-service",
                "schemata": {
                "type": "object",
                "properties": {
                "user_id": {"type": "string"},
                "email": {"type": "string", "format": "email"},
                "name": {"type": "string"},
                "plan": {"type": "string", "enum": ["free", "premium"]}
                },
                "required": ["user_id", "email", "name"]
                }
                }""")
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.topic")
                .isEqualTo("amebo.user.created")
                .jsonPath("$.version")
                .isEqualTo(1);

        api.post("/v1/applications", Api.ADMIN, """
                {
                "application": "order-service",
                "address": "https://orders.myapp.com",
                "secret": "order-service-secret"
                }""").expectStatus().isCreated();

        api.post("/v1/actions", Api.basic("order-service", "order-service-secret"), """
                {
                "action": "order.placed",
                "application": "order-service",
                "schemata": {
                "type": "object",
                "properties": {
                "order_id": {"type": "string"},
                "user_id": {"type": "string"},
                "items": {"type": "array"},
                "total": {"type": "number"},
                "currency": {"type": "string"}
                },
                "required": ["order_id", "user_id", "items", "total"]
                }
                }""")
                .expectStatus()
                .isCreated();

        // the seed's subscribers exist as applications too (the seed registers them off-page)
        api.application("email-service", "https://email.myapp.com", "email-service-secret");
        api.application("analytics-service", "https://analytics.myapp.com", "analytics-service-secret");

        api.post("/v1/subscriptions", Api.basic("email-service", "email-service-secret"), """
                {
                "application": "email-service",
                "subscription": "welcome-emails",
                "action": "user.created",
                "handler": "https://email.myapp.com/webhooks/user-created"
                }""")
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.endpoint")
                .isEqualTo("https://email.myapp.com/webhooks/user-created")
                .jsonPath("$.max_retries")
                .isEqualTo(5)
                .jsonPath("$.status")
                .isEqualTo("active");

        api.post("/v1/subscriptions", Api.basic("analytics-service", "analytics-service-secret"), """
                {
                "application": "analytics-service",
                "subscription": "user-analytics",
                "action": "user.created",
                "handler": "https://analytics.myapp.com/webhooks/events"
                }""")
                .expectStatus()
                .isCreated();

        api.post("/v1/subscriptions", Api.basic("analytics-service", "analytics-service-secret"), """
                {
                "application": "analytics-service",
                "subscription": "order-analytics",
                "action": "order.placed",
                "handler": "https://analytics.myapp.com/webhooks/events"
                }""")
                .expectStatus()
                .isCreated();

        try (var admin = kafka.admin()) {
            Map<String, TopicDescription> topics = admin.describeTopics(
                            java.util.List.of("amebo.user.created", "amebo.order.placed"))
                    .allTopicNames()
                    .get();
            assertThat(topics.get("amebo.user.created").partitions()).hasSize(3);
            assertThat(topics.get("amebo.order.placed").partitions()).hasSize(3);
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Optional<String>> changelog = RegistryChangelog.read(kafka, "amebo.registry");
            assertThat(changelog)
                    .containsKeys(
                            "application/user-service",
                            "application/order-service",
                            "application/email-service",
                            "application/analytics-service",
                            "action/user.created",
                            "action/order.placed",
                            "subscription/welcome-emails",
                            "subscription/user-analytics",
                            "subscription/order-analytics");
            assertThat(changelog.get("subscription/welcome-emails"))
                    .hasValueSatisfying(json -> assertThat(json).contains("\"action\":\"user.created\""));
            assertThat(changelog.get("application/user-service"))
                    .hasValueSatisfying(json -> assertThat(json).doesNotContain("user-service-secret"));
        });
    }
}
