package io.amebo.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.contract.WebhookSignatures;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Received;
import io.amebo.testkit.WebhookReceiver.Reply;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Webhook delivery (DESIGN §5, §6.2, §6.4) against real local HTTP receivers; every signature is verified. */
@RealInfrastructure
class DeliveryIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "email-service-secret";

    private static Fixtures fixtures;
    private static ConfigurableApplicationContext dispatcher;
    private static WebTestClient http;
    private static final List<String> transitions = new CopyOnWriteArrayList<>();

    private final WebhookReceiver receiver = WebhookReceiver.start();

    @BeforeAll
    static void start() {
        fixtures = new Fixtures(SharedKafka.get());
        dispatcher = fixtures.dispatcher();
        http = WebTestClient.bindToServer()
                .baseUrl(Fixtures.url(dispatcher))
                .responseTimeout(Duration.ofSeconds(30))
                .build();
        dispatcher
                .getBean(CircuitBreakerRegistry.class)
                .getEventPublisher()
                .onEntryAdded(added -> added.getAddedEntry()
                        .getEventPublisher()
                        .onStateTransition(e -> transitions.add(e.getCircuitBreakerName() + ":"
                                + e.getStateTransition().getToState())));
    }

    @AfterAll
    static void stop() {
        dispatcher.close();
        fixtures.close();
    }

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    /** Registers a subscriber application at the receiver and an action with one subscription; returns its name. */
    private Names subscribe(int maxRetries, boolean ordered, int partitions) {
        Names n = new Names(
                SharedKafka.uniqueName("owner"), SharedKafka.uniqueName("subscriber"),
                SharedKafka.uniqueName("user.created"), SharedKafka.uniqueName("welcome-emails"));
        fixtures.application(n.owner(), "https://owner.example.com", "owner-secret-0123456789");
        fixtures.application(n.subscriber(), receiver.url("/"), SECRET);
        fixtures.action(n.action(), n.owner(), partitions);
        fixtures.subscription(
                n.subscription(), n.subscriber(), n.action(), "/webhooks/user-created", maxRetries, ordered);
        return n;
    }

    record Names(String owner, String subscriber, String action, String subscription) {}

    @Test
    void deliversASignedEnvelopeWithTheEventsId() {
        Names n = subscribe(5, false, 3);

        String id = fixtures.publish(n.action(), "u1", "{\"user_id\": \"u1\", \"email\": \"a@b.co\"}");

        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() == 1);
        Received received = receiver.requests().get(0);
        assertThat(received.path()).isEqualTo("/webhooks/user-created");
        assertSigned(received);
        JsonNode envelope = JSON.readTree(received.body());
        assertThat(envelope.path("id").asString()).isEqualTo(id);
        assertThat(envelope.path("action").asString()).isEqualTo(n.action());
        assertThat(envelope.path("application").asString()).isEqualTo(n.owner());
        assertThat(envelope.path("subscription").asString()).isEqualTo(n.subscription());
        assertThat(envelope.path("payload").path("email").asString()).isEqualTo("a@b.co");
        assertThat(envelope.path("attempt").asInt()).isEqualTo(1);
        assertThat(received.header("webhook-id")).isEqualTo(id);
        assertThat(received.header("X-Amebo-Action")).isEqualTo(n.action());
        assertThat(received.header("X-Amebo-Subscription")).isEqualTo(n.subscription());
        assertThat(received.header("X-Amebo-Attempt")).isEqualTo("1");
        assertThat(received.header("X-Amebo-Delivery")).isNotBlank();
    }

    @Test
    void aHandlerThatAlwaysFailsGetsExactlyMaxRetriesAttemptsThenTheDeliveryIsDeadAndRedeliverable() {
        Names n = subscribe(3, false, 1);
        receiver.respondByDefault(Reply.status(500));

        String id = fixtures.publish(n.action(), "u1", "{\"n\": 1}");

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(gists(n.subscription(), "dead")).hasSize(1));
        List<Received> attempts = receiver.requests();
        assertThat(attempts).hasSize(3);
        assertThat(attempts).extracting(r -> r.header("webhook-id")).containsOnly(id);
        assertThat(attempts).extracting(r -> r.header("X-Amebo-Attempt")).containsExactly("1", "2", "3");
        attempts.forEach(this::assertSigned);
        JsonNode dead = gists(n.subscription(), "dead").get(0);
        assertThat(dead.path("attempts").asInt()).isEqualTo(3);
        assertThat(dead.path("last_status").asInt()).isEqualTo(500);

        // the dead letter is on amebo.dead, keyed by the subscription, with the original id
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(
                SharedKafka.get().consumerProperties(SharedKafka.uniqueName("dead-reader")))) {
            consumer.subscribe(List.of(fixtures.prefix() + ".dead"));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                boolean found = false;
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    found |= n.subscription().equals(record.key())
                            && id.equals(io.amebo.dispatcher.delivery.Event.header(record.headers(), "amebo_event_id"));
                }
                assertThat(found).isTrue();
            });
        }

        // re-queued in bulk: it comes back with a fresh attempt count, and still fails
        http.post()
                .uri("/v1/subscriptions/" + n.subscription() + "/redeliver")
                .header(HttpHeaders.AUTHORIZATION, Fixtures.ADMIN)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"status\":\"dead\"}")
                .exchange()
                .expectStatus()
                .isAccepted()
                .expectBody()
                .jsonPath("$.requeued")
                .isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.count() == 6);
        assertThat(receiver.requests().subList(3, 6))
                .extracting(r -> r.header("X-Amebo-Attempt"))
                .containsExactly("1", "2", "3");

        // and one redelivery, now that the handler is back
        receiver.respondByDefault(Reply.status(200));
        http.post()
                .uri("/v1/regists/" + dead.path("gist").asString())
                .header(HttpHeaders.AUTHORIZATION, Fixtures.ADMIN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.delivered")
                .isEqualTo(true);
        assertThat(receiver.requests()).hasSize(7);
        assertThat(receiver.requests().get(6).header("webhook-id")).isEqualTo(id);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(gists(n.subscription(), "delivered")).hasSize(1));
    }

    @Test
    void aRedeliveryStartsAFreshAttemptCountShownAlikeInTheGistTheEnvelopeAndTheAnswer() {
        Names n = subscribe(2, false, 1);
        receiver.respondByDefault(Reply.status(500));
        fixtures.publish(n.action(), "u1", "{\"n\": 1}");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(gists(n.subscription(), "dead")).hasSize(1));
        String gist = gists(n.subscription(), "dead").get(0).path("gist").asString();

        // re-queued in bulk to a handler that fails once more (slowly), then recovers: until that first new attempt
        // has its answer, the gist shows a fresh count (pending, no attempt yet), so it is not re-queued twice
        receiver.enqueue(Reply.status(500).after(Duration.ofSeconds(4))).respondByDefault(Reply.status(200));
        redeliverDead(n.subscription(), 1);
        await().atMost(Duration.ofSeconds(3))
                .untilAsserted(() -> assertThat(gists(n.subscription(), "pending"))
                        .singleElement()
                        .satisfies(pending ->
                                assertThat(pending.path("attempts").asInt()).isZero()));
        redeliverDead(n.subscription(), 0);
        // attempt 1 fails, attempt 2 (within max_retries 2) is delivered: the gist counts as the envelopes do
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(gists(n.subscription(), "delivered")).hasSize(1));
        assertThat(receiver.requests()).hasSize(4);
        assertAttempts(receiver.requests().subList(2, 4), 1, 2);
        JsonNode delivered = gists(n.subscription(), "delivered").get(0);
        assertThat(delivered.path("gist").asString()).isEqualTo(gist);
        assertThat(delivered.path("attempts").asInt()).isEqualTo(2);

        // dead once more, then redelivered one by one to a handler that fails once and recovers: attempt 1 of a
        // fresh count, answered as such, and its retry (attempt 2) delivers it
        receiver.respondByDefault(Reply.status(500));
        fixtures.publish(n.action(), "u2", "{\"n\": 2}");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(gists(n.subscription(), "dead")).hasSize(1));
        String second = gists(n.subscription(), "dead").get(0).path("gist").asString();
        int before = receiver.count();
        receiver.enqueue(Reply.status(500)).respondByDefault(Reply.status(200));
        http.post()
                .uri("/v1/regists/" + second)
                .header(HttpHeaders.AUTHORIZATION, Fixtures.ADMIN)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.gist")
                .isEqualTo(second)
                .jsonPath("$.attempt")
                .isEqualTo(1)
                .jsonPath("$.delivered")
                .isEqualTo(false)
                .jsonPath("$.status")
                .isEqualTo(500);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(gists(n.subscription(), "delivered")).hasSize(2));
        assertThat(receiver.requests()).hasSize(before + 2);
        assertAttempts(receiver.requests().subList(before, before + 2), 1, 2);
        assertThat(gists(n.subscription(), "delivered"))
                .filteredOn(g -> g.path("gist").asString().equals(second))
                .singleElement()
                .satisfies(g -> assertThat(g.path("attempts").asInt()).isEqualTo(2));
    }

    private static void redeliverDead(String subscription, int requeued) {
        http.post()
                .uri("/v1/subscriptions/" + subscription + "/redeliver")
                .header(HttpHeaders.AUTHORIZATION, Fixtures.ADMIN)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"status\":\"dead\"}")
                .exchange()
                .expectStatus()
                .isAccepted()
                .expectBody()
                .jsonPath("$.requeued")
                .isEqualTo(requeued);
    }

    /** The attempt number in each request's header and envelope. */
    private static void assertAttempts(List<Received> requests, Integer... attempts) {
        assertThat(requests)
                .extracting(r -> r.header("X-Amebo-Attempt"))
                .containsExactly(
                        java.util.Arrays.stream(attempts).map(String::valueOf).toArray(String[]::new));
        assertThat(requests)
                .extracting(r -> JSON.readTree(r.body()).path("attempt").asInt())
                .containsExactly(attempts);
    }

    @Test
    void aFilteredSubscriptionGetsOnlyTheEventsItsFilterLetsThroughAndCountsTheRest() {
        Names n = new Names(
                SharedKafka.uniqueName("owner"), SharedKafka.uniqueName("subscriber"),
                SharedKafka.uniqueName("user.created"), SharedKafka.uniqueName("premium-welcome"));
        fixtures.application(n.owner(), "https://owner.example.com", "owner-secret-0123456789");
        fixtures.application(n.subscriber(), receiver.url("/"), SECRET);
        fixtures.action(n.action(), n.owner(), 2);
        fixtures.subscription(new SubscriptionState(
                n.subscription(),
                n.subscriber(),
                n.action(),
                "/webhooks/premium",
                3,
                false,
                null,
                null,
                SubscriptionState.ACTIVE,
                null,
                Instant.now(),
                java.util.UUID.randomUUID().toString(),
                JSON.readTree("""
                        {"$or": [{"payload.plan": {"$in": ["premium"]}},
                                 {"payload.items.sku": "book-1", "payload.address.city": {"$exists": false}}]}"""),
                null));

        String premium = fixtures.publish(n.action(), "u1", "{\"plan\": \"premium\"}");
        fixtures.publish(n.action(), "u2", "{\"plan\": \"free\"}");
        fixtures.publish(n.action(), "u3", "{\"items\": [{\"sku\": \"pen\"}, {\"sku\": \"book-1\"}]}");
        fixtures.publish(n.action(), "u4", "{\"items\": [{\"sku\": \"book-1\"}], \"address\": {\"city\": \"Lagos\"}}");
        fixtures.publish(n.action(), "u5", "[\"not\", \"an object\"]");
        String last = fixtures.publish(n.action(), "u6", "{\"plan\": \"premium\", \"last\": true}");

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(gists(n.subscription(), "delivered")).hasSize(3));
        assertThat(receiver.requests())
                .extracting(r -> JSON.readTree(r.body()).path("payload").toString())
                .containsExactlyInAnyOrder(
                        "{\"plan\":\"premium\"}",
                        "{\"items\":[{\"sku\":\"pen\"},{\"sku\":\"book-1\"}]}",
                        "{\"plan\":\"premium\",\"last\":true}");
        assertThat(gists(n.subscription(), "delivered"))
                .extracting(g -> g.path("event").asString())
                .contains(premium, last);
        // the three held back are committed and counted, never gisted
        assertThat(gists(n.subscription(), "pending")).isEmpty();
        assertThat(gists(n.subscription(), "dead")).isEmpty();
        String metrics = http.get()
                .uri("/metrics")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(metrics)
                .containsPattern(
                        "amebo_deliveries_filtered_total\\{[^}]*subscription=\"" + n.subscription() + "\"[^}]*} 3.0");
    }

    @Test
    void aSubscriptionWithBackfillFromStartsAtThatTimeAndOneWithoutAtItsCreation() {
        Names n = new Names(
                SharedKafka.uniqueName("owner"), SharedKafka.uniqueName("subscriber"),
                SharedKafka.uniqueName("user.created"), SharedKafka.uniqueName("backfilled"));
        fixtures.application(n.owner(), "https://owner.example.com", "owner-secret-0123456789");
        fixtures.application(n.subscriber(), receiver.url("/"), SECRET);
        fixtures.action(n.action(), n.owner(), 2);
        Instant before = Instant.now().minusSeconds(1);
        Set<String> earlier = new java.util.HashSet<>();
        for (int i = 0; i < 5; i++) {
            earlier.add(fixtures.publish(n.action(), "k" + i, "{\"n\": " + i + "}"));
        }
        String fresh = SharedKafka.uniqueName("fresh");
        for (String[] subscription : new String[][] {{n.subscription(), "/backfilled"}, {fresh, "/fresh"}}) {
            fixtures.subscription(new SubscriptionState(
                    subscription[0],
                    n.subscriber(),
                    n.action(),
                    subscription[1],
                    3,
                    false,
                    null,
                    null,
                    SubscriptionState.ACTIVE,
                    null,
                    Instant.now(),
                    java.util.UUID.randomUUID().toString(),
                    null,
                    subscription[0].equals(fresh) ? null : before));
        }
        String later = fixtures.publish(n.action(), "k9", "{\"n\": 9}");

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(gists(n.subscription(), "delivered")).hasSize(6));
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(gists(fresh, "delivered")).hasSize(1));
        assertThat(gists(n.subscription(), "delivered"))
                .extracting(g -> g.path("event").asString())
                .containsAll(earlier)
                .contains(later);
        assertThat(gists(fresh, "delivered"))
                .extracting(g -> g.path("event").asString())
                .containsExactly(later);
    }

    @Test
    void answersHealthWithEveryComponentsStatus() {
        http.get()
                .uri("/health")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP")
                .jsonPath("$.components.kafka.status")
                .isEqualTo("UP")
                .jsonPath("$.components.r2dbc.status")
                .isEqualTo("UP")
                .jsonPath("$.components.diskSpace.status")
                .isEqualTo("UP");
    }

    @Test
    void aHandlerThatIsDownForAWhileGetsEveryPendingEventWhenItComesBack() {
        Names n = subscribe(5, false, 2);
        receiver.respondByDefault(Reply.status(503));
        for (int i = 0; i < 20; i++) {
            fixtures.publish(n.action(), "k" + (i % 4), "{\"n\": " + i + "}");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> transitions.contains(n.subscription() + ":OPEN"));

        receiver.respondByDefault(Reply.status(200));

        // every event delivered with a 2xx (the receiver also saw the first, failed, attempts), and the breaker closed
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(gists(n.subscription(), "delivered")).hasSize(20);
            assertThat(transitions).contains(n.subscription() + ":CLOSED");
        });
        assertThat(deliveredIds()).hasSize(20);
        assertThat(gists(n.subscription(), "dead")).isEmpty();
    }

    @Test
    void aHandlerThatHangsNeverDelaysAnotherSubscription() {
        Names slow = subscribe(5, false, 1);
        WebhookReceiver fast = WebhookReceiver.start();
        try {
            receiver.respondByDefault(Reply.status(200).after(Duration.ofSeconds(5)));
            String fastApp = SharedKafka.uniqueName("fast");
            fixtures.application(fastApp, fast.url("/"), SECRET);
            String fastSubscription = SharedKafka.uniqueName("fast-sub");
            fixtures.subscription(fastSubscription, fastApp, slow.action(), "/hook", 5, false);

            for (int i = 0; i < 30; i++) {
                fixtures.publish(slow.action(), null, "{\"n\": " + i + "}");
            }

            // all 30 reach the fast handler while the slow one is still on its first 5-second answers
            await().atMost(Duration.ofSeconds(4)).until(() -> fast.count() == 30);
        } finally {
            fast.close();
        }
    }

    @Test
    void doesNotFollowRedirects() {
        Names n = subscribe(2, false, 1);
        receiver.respondByDefault(Reply.status(302).withHeader("Location", receiver.url("/elsewhere")));

        fixtures.publish(n.action(), null, "{}");

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(gists(n.subscription(), "dead")).hasSize(1));
        assertThat(receiver.requests()).extracting(Received::path).containsOnly("/webhooks/user-created");
        assertThat(gists(n.subscription(), "dead").get(0).path("last_error").asString())
                .contains("redirect");
    }

    @Test
    void waitsForSleepUntilBeforeTheFirstDelivery() {
        Names n = subscribe(5, false, 1);
        Instant notBefore = Instant.now().plusSeconds(3);

        fixtures.publish(n.action(), null, "{}", notBefore);

        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() == 1);
        assertThat(receiver.requests().get(0).receivedAt()).isAfterOrEqualTo(notBefore);
        assertThat(receiver.requests().get(0).header("X-Amebo-Attempt")).isEqualTo("1");
    }

    private void assertSigned(Received received) {
        WebhookSignatures verifier = WebhookSignatures.of(SECRET);
        assertThat(verifier.verifyStandard(
                        received.header("webhook-id"),
                        received.header("webhook-timestamp"),
                        received.header("webhook-signature"),
                        received.body(),
                        Instant.now(),
                        WebhookSignatures.DEFAULT_TOLERANCE))
                .isEqualTo(WebhookSignatures.Verification.VALID);
        assertThat(verifier.verifyAmebo(received.header("X-Amebo-Signature"), received.body()))
                .isEqualTo(WebhookSignatures.Verification.VALID);
    }

    /** Events the receiver acknowledged (it answered 200 to them since it came back). */
    private Set<String> deliveredIds() {
        return receiver.requests().stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
    }

    private static List<JsonNode> gists(String subscription, String status) {
        byte[] body = http.get()
                .uri("/v1/gists?subscription=" + subscription + "&status=" + status + "&pagination=100")
                .header(HttpHeaders.AUTHORIZATION, Fixtures.ADMIN)
                .accept(MediaType.APPLICATION_JSON)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody();
        List<JsonNode> list = new java.util.ArrayList<>();
        JSON.readTree(body).forEach(list::add);
        return list;
    }
}
