package io.amebo.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Received;
import io.amebo.testkit.WebhookReceiver.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The named delivery guarantees (DESIGN §5, §6.2, §6.7), each checked on what a real receiver saw: at least once
 * across a dispatcher restart mid-stream, per-key order under failures and retries, and the private-address rule.
 */
@RealInfrastructure
class GuaranteesIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "guarantee-secret-0123456789";

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private Fixtures fixtures;
    private String action;
    private String subscriber;

    @BeforeEach
    void registerAnActionAndASubscriber() {
        fixtures = new Fixtures(SharedKafka.get());
        Fixtures.Scenario scenario = fixtures.scenario("order.placed", receiver.url("/"), SECRET, 3);
        subscriber = scenario.subscriber();
        action = scenario.action();
    }

    @AfterEach
    void close() {
        receiver.close();
        fixtures.close();
    }

    @Test
    void deliversEveryEventAtLeastOnceAcrossARestartInTheMiddleOfAStream() {
        fixtures.subscription(SharedKafka.uniqueName("restart"), subscriber, action, "/hooks", 5, false);
        receiver.respondByDefault(Reply.status(200).after(Duration.ofMillis(400)));
        List<String> published = new ArrayList<>();

        try (ConfigurableApplicationContext first = fixtures.dispatcher("--amebo.dispatcher.max-in-flight=2")) {
            for (int i = 0; i < 60; i++) {
                published.add(fixtures.publish(action, "key-" + (i % 6), "{\"n\": " + i + "}"));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.count() >= 6);
        } // stopped mid-stream: some deliveries done, some in flight, some never started
        assertThat(receivedIds().containsAll(published))
                .as("the first dispatcher stopped before the end")
                .isFalse();

        try (ConfigurableApplicationContext second = fixtures.dispatcher("--amebo.dispatcher.max-in-flight=2")) {
            await().atMost(Duration.ofSeconds(90))
                    .untilAsserted(() -> assertThat(receivedIds()).containsAll(published));
        }
        for (Received request : receiver.requests()) {
            JsonNode envelope = JSON.readTree(request.body());
            assertThat(request.header("webhook-id"))
                    .isEqualTo(envelope.path("id").asString())
                    .isIn(published);
        }
    }

    @Test
    void keepsPerKeyOrderUnderFailuresAndRetries() {
        fixtures.subscription(SharedKafka.uniqueName("ordered"), subscriber, action, "/hooks", 5, true);
        // every event's first attempt fails: order must hold through its retry
        receiver.respondByDefault(
                request -> "1".equals(request.header("X-Amebo-Attempt")) ? Reply.status(500) : Reply.status(200));
        Map<String, List<Integer>> sent = new HashMap<>();

        try (ConfigurableApplicationContext dispatcher = fixtures.dispatcher()) {
            for (int i = 0; i < 24; i++) {
                String key = "key-" + (i % 4);
                fixtures.publish(action, key, "{\"n\": " + i + ", \"key\": \"" + key + "\"}");
                sent.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> successes().size() >= 24);
        }

        Map<String, List<Integer>> seen = new HashMap<>();
        for (Received request : receiver.requests()) {
            JsonNode payload = JSON.readTree(request.body()).path("payload");
            seen.computeIfAbsent(payload.path("key").asString(), k -> new ArrayList<>())
                    .add(payload.path("n").asInt());
        }
        // per key, every event's two attempts come together, and events come in publish order
        sent.forEach((key, numbers) -> {
            List<Integer> twice = new ArrayList<>();
            numbers.forEach(n -> {
                twice.add(n);
                twice.add(n);
            });
            assertThat(seen.get(key)).as(key).containsExactlyElementsOf(twice);
        });
    }

    @Test
    void refusesHandlersAtLoopbackAddressesUnlessAllowed() {
        String subscription = SharedKafka.uniqueName("loopback");
        fixtures.subscription(subscription, subscriber, action, "/hooks", 3, false);

        try (ConfigurableApplicationContext dispatcher =
                fixtures.dispatcher("--amebo.dispatcher.allow-loopback=false")) {
            fixtures.publish(action, null, "{}");
            var http = org.springframework.test.web.reactive.server.WebTestClient.bindToServer()
                    .baseUrl(Fixtures.url(dispatcher))
                    .build();
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> http.get()
                            .uri("/v1/gists?subscription=" + subscription + "&status=dead")
                            .header("Authorization", Fixtures.ADMIN)
                            .exchange()
                            .expectBody()
                            .jsonPath("$[0].last_error")
                            .value(error -> assertThat(error.toString()).contains("loopback")));
        }
        assertThat(receiver.count()).isZero();
    }

    @Test
    void replaysExactlyTheEventsOfAWindowWithTheirOriginalIdsWithoutDisturbingLiveDelivery() {
        String subscription = SharedKafka.uniqueName("replayed");
        fixtures.subscription(subscription, subscriber, action, "/hooks", 5, false);
        try (ConfigurableApplicationContext dispatcher = fixtures.dispatcher()) {
            for (int i = 0; i < 20; i++) {
                fixtures.publish(action, "k" + (i % 3), "{\"n\": " + i + "}");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.count() == 20);
            Map<String, Instant> times = new HashMap<>();
            receiver.requests()
                    .forEach(r -> times.put(
                            r.header("webhook-id"),
                            Instant.parse(
                                    JSON.readTree(r.body()).path("timestamped").asString())));
            List<Instant> sorted = times.values().stream().sorted().toList();
            Instant from = sorted.get(5);
            Instant to = sorted.get(15);
            Set<String> expected = new HashSet<>();
            times.forEach((id, at) -> {
                if (!at.isBefore(from) && at.isBefore(to)) {
                    expected.add(id);
                }
            });
            receiver.reset();

            var http = org.springframework.test.web.reactive.server.WebTestClient.bindToServer()
                    .baseUrl(Fixtures.url(dispatcher))
                    .build();
            String location = http.post()
                    .uri("/v1/subscriptions/" + subscription + "/replay")
                    .header("Authorization", Fixtures.ADMIN)
                    .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                    .bodyValue("{\"from\":\"" + from + "\",\"to\":\"" + to + "\"}")
                    .exchange()
                    .expectStatus()
                    .isAccepted()
                    .expectBody()
                    .jsonPath("$.replay")
                    .exists()
                    .returnResult()
                    .getResponseHeaders()
                    .getLocation()
                    .toString();
            String live = fixtures.publish(action, "k0", "{\"n\": 99}");

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> http.get()
                            .uri(location)
                            .header("Authorization", Fixtures.ADMIN)
                            .exchange()
                            .expectBody()
                            .jsonPath("$.status")
                            .isEqualTo("done")
                            .jsonPath("$.total")
                            .isEqualTo(expected.size()));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () -> assertThat(receivedIds()).containsExactlyInAnyOrderElementsOf(union(expected, live)));
            assertThat(receiver.requests(r -> r.header("webhook-id").equals(live)))
                    .hasSize(1);
        }
    }

    @Test
    void pausesASubscriptionWhoseHandlerKeepsFailingPastTheGracePeriodAndExposesItsMetrics() {
        String subscription = SharedKafka.uniqueName("failing");
        fixtures.subscription(subscription, subscriber, action, "/hooks", 5, false);
        receiver.respondByDefault(Reply.status(503));
        // the registry's API, as far as this test needs it: it records the PATCH that pauses the subscription
        try (WebhookReceiver registry = WebhookReceiver.start();
                ConfigurableApplicationContext dispatcher = fixtures.dispatcher(
                        "--amebo.dispatcher.pause-after=2s", "--amebo.dispatcher.registry-url=" + registry.url(""))) {
            for (int i = 0; i < 10; i++) {
                fixtures.publish(action, null, "{\"n\": " + i + "}");
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> registry.count() >= 1);
            Received pause = registry.requests().get(0);
            assertThat(pause.method()).isEqualTo("PATCH");
            assertThat(pause.path()).isEqualTo("/v1/subscriptions/" + subscription);
            assertThat(pause.header("Authorization")).isEqualTo(Fixtures.ADMIN);
            JsonNode body = JSON.readTree(pause.body());
            assertThat(body.path("status").asString()).isEqualTo("paused");
            assertThat(body.path("paused_reason").asString()).contains("failing since");

            var http = org.springframework.test.web.reactive.server.WebTestClient.bindToServer()
                    .baseUrl(Fixtures.url(dispatcher))
                    .build();
            http.get()
                    .uri("/metrics")
                    .exchange()
                    .expectBody(String.class)
                    .value(metrics -> assertThat(metrics)
                            .contains(
                                    "amebo_subscription_breaker{service=\"dispatcher\",subscription=\"" + subscription)
                            .contains("amebo_subscription_lag{service=\"dispatcher\",subscription=\"" + subscription)
                            .contains("amebo_deliveries_failed_total{service=\"dispatcher\",subscription=\""
                                    + subscription)
                            .contains("amebo_delivery_latency_seconds_bucket"));
        }
    }

    private static Set<String> union(Set<String> ids, String one) {
        Set<String> all = new HashSet<>(ids);
        all.add(one);
        return all;
    }

    private Set<String> receivedIds() {
        Set<String> ids = new LinkedHashSet<>();
        receiver.requests().forEach(r -> ids.add(r.header("webhook-id")));
        return ids;
    }

    private List<Received> successes() {
        return receiver.requests(r -> !"1".equals(r.header("X-Amebo-Attempt")));
    }
}
