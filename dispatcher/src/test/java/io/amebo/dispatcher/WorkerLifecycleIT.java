package io.amebo.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.contract.registry.SubscriptionState;
import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Received;
import io.amebo.testkit.WebhookReceiver.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The delivery runtime across its lifecycle on a real broker: an open breaker never hangs a worker, rebalances
 * never leave a key or a partition blocked, a subscription's application may arrive late, a subscription re-created
 * under the same name is a new one, and a stopping worker commits what it finished.
 */
@RealInfrastructure
class WorkerLifecycleIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SECRET = "lifecycle-secret-0123456789";

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private Fixtures fixtures;
    private String owner;
    private String subscriber;
    private String action;

    @BeforeEach
    void registerAnActionAndASubscriber() {
        fixtures = new Fixtures(SharedKafka.get());
        Fixtures.Scenario scenario = fixtures.scenario("user.created", receiver.url("/"), SECRET, 3);
        owner = scenario.owner();
        subscriber = scenario.subscriber();
        action = scenario.action();
    }

    @AfterEach
    void close() {
        receiver.close();
        fixtures.close();
    }

    @Test
    void aWorkerWhoseSlotsAreAllWaitingForAnOpenBreakerNeverHangs() {
        fixtures.subscription(SharedKafka.uniqueName("held"), subscriber, action, "/hook", 10, false);
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            published.add(fixtures.publish(action, "k" + i, "{\"n\": " + i + "}"));
        }
        receiver.failNext(10, 500); // enough failures to open the breaker with every slot taken

        try (ConfigurableApplicationContext dispatcher = fixtures.dispatcher("--amebo.dispatcher.max-in-flight=2")) {
            await().atMost(Duration.ofSeconds(90))
                    .untilAsserted(() -> assertThat(succeededIds()).containsAll(published));
        }
    }

    @Test
    void orderedKeysNeverStayBlockedAcrossRebalances() {
        fixtures.subscription(SharedKafka.uniqueName("ordered"), subscriber, action, "/hook", 10, true);
        // slow answers keep keys busy across the rebalances; each event's first attempt fails and is retried in place
        receiver.respondByDefault(request -> "1".equals(request.header("X-Amebo-Attempt"))
                ? Reply.status(500).after(Duration.ofMillis(100))
                : Reply.status(200).after(Duration.ofMillis(100)));
        Map<String, List<Integer>> sent = new LinkedHashMap<>();

        try (ConfigurableApplicationContext first = fixtures.dispatcher()) {
            for (int i = 0; i < 36; i++) {
                String key = i % 4 == 3 ? null : "key-" + (i % 4); // keyless events are ordered per partition
                fixtures.publish(action, key, "{\"n\": " + i + ", \"key\": \"" + key + "\"}");
                sent.computeIfAbsent(String.valueOf(key), k -> new ArrayList<>())
                        .add(i);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> successes().size() >= 3);
            try (ConfigurableApplicationContext second = fixtures.dispatcher()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> successes().size() >= 10);
            } // partitions move to the second and back, with keys busy each time

            await().atMost(Duration.ofSeconds(90))
                    .untilAsserted(() -> assertThat(firstSuccesses()).hasSize(36));
        }
        // per key, first successful deliveries come in publish order
        Map<String, List<Integer>> seen = new HashMap<>();
        firstSuccesses().values().stream()
                .sorted(java.util.Comparator.comparingLong(Received::sequence))
                .forEach(r -> {
                    JsonNode payload = JSON.readTree(r.body()).path("payload");
                    if (!payload.path("key").asString().equals("null")) {
                        seen.computeIfAbsent(payload.path("key").asString(), k -> new ArrayList<>())
                                .add(payload.path("n").asInt());
                    }
                });
        seen.forEach((key, numbers) -> assertThat(numbers).as(key).isSorted());
    }

    @Test
    void anEventIsNotDeadBecauseItsSubscribersApplicationArrivesLaterInTheChangelog() {
        String late = SharedKafka.uniqueName("late-app");
        SubscriptionState subscription =
                fixtures.subscription(SharedKafka.uniqueName("early"), late, action, "/hook", 3, false);
        String id = fixtures.publish(action, null, "{}");

        try (ConfigurableApplicationContext dispatcher = fixtures.dispatcher()) {
            DispatcherApi api = new DispatcherApi(dispatcher);
            await().pollDelay(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> true);
            fixtures.application(late, receiver.url("/"), SECRET);

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(api.gists(subscription.subscription(), "delivered"))
                            .hasSize(1));
            assertThat(api.gists(subscription.subscription(), "dead")).isEmpty();
            assertThat(receiver.requests())
                    .extracting(r -> r.header("webhook-id"))
                    .containsExactly(id);
        }
    }

    @Test
    void aSubscriptionReCreatedUnderTheSameNameForAnotherActionIsANewSubscription() {
        String name = SharedKafka.uniqueName("reused");
        String other = SharedKafka.uniqueName("user.deleted");
        fixtures.action(other, owner, 1);
        fixtures.subscription(name, subscriber, action, "/hook", 5, false);
        receiver.enqueue(Reply.status(200), Reply.status(503).withHeader("Retry-After", "3"));

        try (ConfigurableApplicationContext dispatcher = fixtures.dispatcher()) {
            DispatcherApi api = new DispatcherApi(dispatcher);
            String delivered = fixtures.publish(action, null, "{\"n\": 1}");
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.count() == 1);
            String retrying = fixtures.publish(action, null, "{\"n\": 2}"); // its retry waits on a retry topic
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.count() == 2);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(api.gists(name, null)).hasSize(2));
            String oldGist = api.gists(name, null).get(0).path("gist").asString();

            // deleted and re-created for another action: the changelog carries only the new state
            fixtures.subscription(name, subscriber, other, "/hook", 5, false);
            await().pollDelay(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> true);
            String before = fixtures.publish(action, null, "{\"n\": 3}");
            String after = fixtures.publish(other, null, "{\"n\": 4}");

            await().atMost(Duration.ofSeconds(30)).until(() -> receivedIds().contains(after));
            await().pollDelay(Duration.ofSeconds(5))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> true);
            assertThat(receivedIds())
                    .containsExactly(delivered, retrying, after)
                    .doesNotContain(before);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(api.gists(name, null))
                            .extracting(g -> g.path("event").asString())
                            .containsExactly(after));
            // nor can the old one's deliveries be redelivered through the new one
            api.http()
                    .post()
                    .uri("/v1/regists/" + oldGist)
                    .header("Authorization", Fixtures.ADMIN)
                    .exchange()
                    .expectStatus()
                    .isNotFound();
            assertThat(receivedIds()).doesNotContain(before);
        }
    }

    @Test
    void aStoppingWorkerLetsItsDeliveriesFinishAndCommitsThem() throws Exception {
        SubscriptionState subscription =
                fixtures.subscription(SharedKafka.uniqueName("stopping"), subscriber, action, "/hook", 5, false);
        // answers slow enough that the workers stop while all six are in flight
        receiver.respondByDefault(Reply.status(200).after(Duration.ofSeconds(3)));
        List<String> published = new ArrayList<>();

        try (ConfigurableApplicationContext dispatcher = fixtures.dispatcher()) {
            for (int i = 0; i < 6; i++) {
                published.add(fixtures.publish(action, "k" + i, "{\"n\": " + i + "}"));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.count() == 6);
        } // stopped while all six wait for their answers

        String group = fixtures.prefix() + ".sub." + subscription.subscription();
        try (var admin = SharedKafka.get().admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(p -> latest.put(p, OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get();
            assertThat(committed).hasSize(3);
            committed.forEach((partition, offset) -> assertThat(offset.offset())
                    .as("%s", partition)
                    .isEqualTo(ends.get(partition).offset()));
        }
        receiver.respondByDefault(Reply.status(200));
        try (ConfigurableApplicationContext again = fixtures.dispatcher()) {
            await().pollDelay(Duration.ofSeconds(5))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> true);
        }
        assertThat(receiver.count()).as("nothing delivered twice").isEqualTo(6);
    }

    private List<Received> successes() {
        return receiver.requests(r -> !"1".equals(r.header("X-Amebo-Attempt")));
    }

    /** The first successful delivery of each event. */
    private Map<String, Received> firstSuccesses() {
        Map<String, Received> first = new LinkedHashMap<>();
        successes().forEach(r -> first.putIfAbsent(r.header("webhook-id"), r));
        return first;
    }

    private Set<String> succeededIds() {
        Set<String> ids = new LinkedHashSet<>();
        // the receiver answers 500 to its first ten requests, then 200: later requests succeeded
        List<Received> all = receiver.requests();
        for (int i = 10; i < all.size(); i++) {
            ids.add(all.get(i).header("webhook-id"));
        }
        return ids;
    }

    private Set<String> receivedIds() {
        Set<String> ids = new LinkedHashSet<>();
        receiver.requests().forEach(r -> ids.add(r.header("webhook-id")));
        return ids;
    }
}
