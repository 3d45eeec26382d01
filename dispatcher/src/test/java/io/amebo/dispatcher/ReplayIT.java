package io.amebo.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.contract.EventHeaders;
import io.amebo.contract.EventId;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Received;
import io.amebo.testkit.WebhookReceiver.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Replays (DESIGN §6.6) settle honestly: their progress counts only real deliveries, they keep an ordered
 * subscription's order, they finish whatever sits at the end of the window, and a 410 never loses an event.
 */
@RealInfrastructure
class ReplayIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "replay-secret-0123456789";

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private final WebhookReceiver registry = WebhookReceiver.start();
    private Fixtures fixtures;
    private String owner;
    private String subscriber;
    private String action;

    @BeforeEach
    void registerAnActionAndASubscriber() {
        fixtures = new Fixtures(SharedKafka.get());
        Fixtures.Scenario scenario = fixtures.scenario("stock.moved", receiver.url("/"), SECRET, 3);
        owner = scenario.owner();
        subscriber = scenario.subscriber();
        action = scenario.action();
    }

    @AfterEach
    void close() {
        receiver.close();
        registry.close();
        fixtures.close();
    }

    private ConfigurableApplicationContext dispatcher() {
        return fixtures.dispatcher(
                "--amebo.dispatcher.registry-url=" + registry.url(""), "--amebo.dispatcher.paused-retry-wait=2s");
    }

    /** Events published before the subscription existed: live delivery leaves them to the replay. */
    private SubscriptionState subscribeAfter(int events, boolean ordered, int maxRetries) {
        for (int i = 0; i < events; i++) {
            String key = "key-" + (i % 3);
            fixtures.publish(action, key, "{\"n\": " + i + ", \"key\": \"" + key + "\"}");
        }
        await().pollDelay(Duration.ofMillis(50)).until(() -> true);
        return fixtures.subscription(
                SharedKafka.uniqueName("replayed"), subscriber, action, "/hook", maxRetries, ordered);
    }

    @Test
    void countsOnlyRealDeliveriesAsDelivered() {
        Instant from = Instant.now().minusSeconds(1);
        SubscriptionState subscription = subscribeAfter(3, false, 1);
        receiver.respondByDefault(Reply.status(500));

        try (ConfigurableApplicationContext dispatcher = dispatcher()) {
            DispatcherApi api = new DispatcherApi(dispatcher);
            String location = api.replay(subscription.subscription(), from, subscription.timestamped());

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(
                                    api.progress(location).path("status").asString())
                            .isEqualTo("done"));
            JsonNode progress = api.progress(location);
            assertThat(progress.path("delivered").asInt()).isZero();
            assertThat(progress.path("dead").asInt()).isEqualTo(3);
            assertThat(progress.path("total").asInt()).isEqualTo(3);
        }
    }

    @Test
    void aFilteredSubscriptionsReplayDeliversOnlyWhatItsFilterLetsThrough() {
        Instant from = Instant.now().minusSeconds(1);
        SubscriptionState unfiltered = subscribeAfter(6, false, 3); // n = 0..5, keys key-0, key-1, key-2
        SubscriptionState subscription = fixtures.subscription(
                unfiltered.withFilter(JSON.readTree("{\"payload.key\": {\"$in\": [\"key-0\", \"key-2\"]}}")));

        try (ConfigurableApplicationContext dispatcher = dispatcher()) {
            DispatcherApi api = new DispatcherApi(dispatcher);
            String location = api.replay(subscription.subscription(), from, subscription.timestamped());

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(
                                    api.progress(location).path("status").asString())
                            .isEqualTo("done"));
            assertThat(api.progress(location).path("delivered").asInt()).isEqualTo(4);
        }
        assertThat(receiver.requests())
                .extracting(
                        r -> JSON.readTree(r.body()).path("payload").path("key").asString())
                .hasSize(4)
                .containsOnly("key-0", "key-2");
    }

    @Test
    void keepsAnOrderedSubscriptionsOrderPerKey() {
        Instant from = Instant.now().minusSeconds(1);
        SubscriptionState subscription = subscribeAfter(15, true, 5);
        receiver.respondByDefault(
                request -> "1".equals(request.header("X-Amebo-Attempt")) ? Reply.status(500) : Reply.status(200));

        try (ConfigurableApplicationContext dispatcher = dispatcher()) {
            DispatcherApi api = new DispatcherApi(dispatcher);
            String location = api.replay(subscription.subscription(), from, subscription.timestamped());

            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(
                                    api.progress(location).path("delivered").asInt())
                            .isEqualTo(15));
        }
        Map<String, List<Integer>> seen = new HashMap<>();
        for (Received request : receiver.requests()) {
            JsonNode payload = JSON.readTree(request.body()).path("payload");
            seen.computeIfAbsent(payload.path("key").asString(), k -> new ArrayList<>())
                    .add(payload.path("n").asInt());
        }
        // per key, each event's two attempts come together, and events in publish order
        seen.forEach((key, numbers) -> {
            assertThat(numbers).as(key).hasSize(10).isSorted();
            for (int i = 0; i < numbers.size(); i += 2) {
                assertThat(numbers.get(i)).as(key).isEqualTo(numbers.get(i + 1));
            }
        });
    }

    @Test
    void finishesWhenTheWindowEndsInTransactionMarkers() {
        Instant from = Instant.now().minusSeconds(1);
        List<String> published = publishTransactionally(4);
        SubscriptionState subscription =
                fixtures.subscription(SharedKafka.uniqueName("tx"), subscriber, action, "/hook", 3, false);

        try (ConfigurableApplicationContext dispatcher = dispatcher()) {
            DispatcherApi api = new DispatcherApi(dispatcher);
            String location = api.replay(subscription.subscription(), from, Instant.now());

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(
                                    api.progress(location).path("status").asString())
                            .isEqualTo("done"));
            assertThat(api.progress(location).path("delivered").asInt()).isEqualTo(4);
        }
        assertThat(receiver.requests())
                .extracting(r -> r.header("webhook-id"))
                .containsExactlyInAnyOrderElementsOf(published);
    }

    @Test
    void anEventAnsweredGoneInAReplayIsDeliveredOnceTheSubscriptionResumes() {
        Instant from = Instant.now().minusSeconds(1);
        SubscriptionState subscription = subscribeAfter(1, false, 5);
        receiver.enqueue(Reply.status(410));

        try (ConfigurableApplicationContext dispatcher = dispatcher()) {
            DispatcherApi api = new DispatcherApi(dispatcher);
            String location = api.replay(subscription.subscription(), from, subscription.timestamped());
            await().atMost(Duration.ofSeconds(30)).until(() -> registry.count() >= 1);
            fixtures.status(subscription, SubscriptionState.PAUSED);
            await().pollDelay(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> true);
            assertThat(receiver.count()).isEqualTo(1);

            fixtures.status(subscription, SubscriptionState.ACTIVE);

            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.count() >= 2);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(
                                    api.progress(location).path("delivered").asInt())
                            .isEqualTo(1));
        }
    }

    @Test
    void refusesMoreReplaysOfASubscriptionThanAllowedAtOnce() {
        Instant from = Instant.now().minusSeconds(1);
        SubscriptionState subscription = subscribeAfter(3, false, 5);
        receiver.respondByDefault(Reply.status(200).after(Duration.ofSeconds(10))); // keeps the first one running

        try (ConfigurableApplicationContext dispatcher =
                fixtures.dispatcher("--amebo.dispatcher.max-replays-per-subscription=1")) {
            DispatcherApi api = new DispatcherApi(dispatcher);
            api.replay(subscription.subscription(), from, subscription.timestamped());

            api.http()
                    .post()
                    .uri("/v1/subscriptions/" + subscription.subscription() + "/replay")
                    .header("Authorization", Fixtures.ADMIN)
                    .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                    .bodyValue("{\"from\":\"" + from + "\"}")
                    .exchange()
                    .expectStatus()
                    .isEqualTo(429)
                    .expectHeader()
                    .exists("Retry-After")
                    .expectBody()
                    .jsonPath("$.error")
                    .value(error -> assertThat(error.toString()).contains("per subscription"));
        }
    }

    /** Each event in a transaction of its own: the log ends in a commit marker, which no consumer ever sees. */
    private List<String> publishTransactionally(int events) {
        Properties props = SharedKafka.get().producerProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, SharedKafka.uniqueName("tx"));
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            producer.initTransactions();
            for (int i = 0; i < events; i++) {
                producer.beginTransaction();
                RecordHeaders headers = new RecordHeaders();
                headers.add(EventHeaders.SOURCE, EventHeaders.source(owner).getBytes(StandardCharsets.UTF_8));
                headers.add(EventHeaders.ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
                RecordMetadata metadata = producer.send(new ProducerRecord<>(
                                fixtures.prefix() + "." + action,
                                null,
                                null,
                                "k" + i,
                                ("{\"n\": " + i + "}").getBytes(StandardCharsets.UTF_8),
                                headers))
                        .get();
                producer.commitTransaction();
                ids.add(new EventId(action, metadata.partition(), metadata.offset()).encode());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }
}
