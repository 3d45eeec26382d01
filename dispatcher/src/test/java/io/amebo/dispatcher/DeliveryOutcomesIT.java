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
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What each kind of handler answer leads to (DESIGN §5), on a real broker and real receivers: a 2xx is success
 * whatever its body, a 410 is never the end of an event, {@code rate_limit} holds, a Kafka write that fails loses
 * no attempt count, and retries keep the documented schedule.
 */
@RealInfrastructure
class DeliveryOutcomesIT {

    private static final String SECRET = "outcomes-secret-0123456789";

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private final WebhookReceiver registry = WebhookReceiver.start(); // the registry's API: records the pause
    private Fixtures fixtures;
    private String subscriber;
    private String action;

    @BeforeEach
    void registerAnActionAndASubscriber() {
        fixtures = new Fixtures(SharedKafka.get());
        Fixtures.Scenario scenario = fixtures.scenario("order.placed", receiver.url("/"), SECRET, 2);
        subscriber = scenario.subscriber();
        action = scenario.action();
    }

    @AfterEach
    void close() {
        receiver.close();
        registry.close();
        fixtures.close();
    }

    private ConfigurableApplicationContext dispatcher(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(
                "--amebo.dispatcher.registry-url=" + registry.url(""), "--amebo.dispatcher.paused-retry-wait=2s"));
        all.addAll(List.of(args));
        return fixtures.dispatcher(all.toArray(String[]::new));
    }

    private SubscriptionState subscribe(int maxRetries) {
        return fixtures.subscription(
                SharedKafka.uniqueName("outcomes"), subscriber, action, "/hook", maxRetries, false);
    }

    @Test
    void aTwoHundredWithAHugeBodyIsDeliveredOnceAndNeverRetried() {
        SubscriptionState subscription = subscribe(3);
        receiver.respondByDefault(Reply.status(200).withBody("x".repeat(300 * 1024)));

        try (ConfigurableApplicationContext dispatcher = dispatcher()) {
            DispatcherApi api = new DispatcherApi(dispatcher);
            fixtures.publish(action, null, "{}");

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(api.gists(subscription.subscription(), "delivered"))
                            .hasSize(1));
            assertThat(receiver.count()).isEqualTo(1);
            assertThat(api.gists(subscription.subscription(), "dead")).isEmpty();
        }
    }

    @Test
    void anEventWhoseRetryIsAnsweredGoneIsDeliveredOnceTheSubscriptionResumes() {
        SubscriptionState subscription = subscribe(5);
        // the first attempt fails (its retry goes through a retry topic), the retry gets 410, then the handler is back
        receiver.enqueue(Reply.status(503).withHeader("Retry-After", "1"), Reply.status(410));

        try (ConfigurableApplicationContext dispatcher = dispatcher()) {
            String id = fixtures.publish(action, null, "{\"n\": 1}");

            assertPausedThenDeliveredAfterResuming(subscription, id);
        }
        assertThat(receiver.requests())
                .extracting(r -> r.header("X-Amebo-Attempt"))
                .startsWith("1", "2");
    }

    @Test
    void aDelayedEventWhoseFirstDeliveryIsAnsweredGoneIsDeliveredOnceTheSubscriptionResumes() {
        SubscriptionState subscription = subscribe(5);
        receiver.enqueue(Reply.status(410));

        try (ConfigurableApplicationContext dispatcher = dispatcher()) {
            String id =
                    fixtures.publish(action, null, "{\"n\": 1}", Instant.now().plusSeconds(2));

            assertPausedThenDeliveredAfterResuming(subscription, id);
        }
    }

    private void assertPausedThenDeliveredAfterResuming(SubscriptionState subscription, String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> registry.count() >= 1);
        assertThat(registry.requests().get(0).path()).isEqualTo("/v1/subscriptions/" + subscription.subscription());
        assertThat(registry.requests().get(0).bodyText()).contains("paused");
        int before = receiver.count();
        fixtures.status(subscription, SubscriptionState.PAUSED);
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
        assertThat(receiver.count()).as("nothing is delivered while paused").isEqualTo(before);

        fixtures.status(subscription, SubscriptionState.ACTIVE);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> receiver.requests(r -> id.equals(r.header("webhook-id")) && r.sequence() > before)
                                .size()
                        >= 1);
    }

    @Test
    void aRateLimitedSubscriptionGetsNoMoreThanItsRatePerSecond() {
        SubscriptionState subscription =
                fixtures.subscription(SharedKafka.uniqueName("limited"), subscriber, action, "/hook", 5, false, 5);

        try (ConfigurableApplicationContext dispatcher = dispatcher()) {
            for (int i = 0; i < 40; i++) {
                fixtures.publish(action, "k" + i, "{\"n\": " + i + "}");
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> receiver.count() >= 40);
        }
        List<Instant> arrivals =
                receiver.requests().stream().map(Received::receivedAt).sorted().toList();
        int busiest = 0;
        for (int i = 0; i < arrivals.size(); i++) {
            int inSecond = 0;
            for (int j = i;
                    j < arrivals.size()
                            && arrivals.get(j).isBefore(arrivals.get(i).plusSeconds(1));
                    j++) {
                inSecond++;
            }
            busiest = Math.max(busiest, inSecond);
        }
        assertThat(busiest)
                .as("deliveries in the busiest second of %s", subscription.subscription())
                .isLessThanOrEqualTo(6); // 5 per second, evenly spaced: one more where a window straddles two
        assertThat(Duration.between(arrivals.get(0), arrivals.get(39))).isGreaterThan(Duration.ofSeconds(7));
    }

    @Test
    void aDeadLetterThatKafkaRefusesIsWrittenLaterWithoutAnotherAttempt() throws Exception {
        SubscriptionState subscription = subscribe(1);
        receiver.respondByDefault(Reply.status(500));
        try (ConfigurableApplicationContext dispatcher = dispatcher(
                "--spring.kafka.producer.properties.max.block.ms=1000",
                "--spring.kafka.producer.properties.request.timeout.ms=1000",
                "--spring.kafka.producer.properties.delivery.timeout.ms=2000")) {
            DispatcherApi api = new DispatcherApi(dispatcher);
            String dead = fixtures.prefix() + ".dead";
            await().atMost(Duration.ofSeconds(30)).until(() -> topicExists(dead));
            try (var admin = SharedKafka.get().admin()) {
                admin.deleteTopics(List.of(dead)).all().get();
            }

            String id = fixtures.publish(action, null, "{}");
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.count() >= 1);
            await().pollDelay(Duration.ofSeconds(6))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> true);
            try (var admin = SharedKafka.get().admin()) {
                admin.createTopics(List.of(new NewTopic(dead, 3, (short) 1)))
                        .all()
                        .get();
            }

            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(api.gists(subscription.subscription(), "dead"))
                            .hasSize(1));
            assertThat(receiver.requests())
                    .extracting(r -> r.header("webhook-id"))
                    .containsExactly(id);
        }
    }

    private static boolean topicExists(String topic) throws Exception {
        try (var admin = SharedKafka.get().admin()) {
            return admin.listTopics().names().get().contains(topic);
        }
    }

    /**
     * The schedule the README states: the n-th retry waits 1 s × 2^(n-1) ± 10 %, never less, and at most 5 % + 0.5 s
     * more (each hop between retry tiers costs a write and a read), also when many events' retries of different
     * lengths wait on the retry topics at once.
     */
    @Test
    void retriesFollowTheDocumentedScheduleWithinItsStatedBound() {
        SubscriptionState subscription = subscribe(5);
        // every event's first three attempts fail, the fourth succeeds
        receiver.respondByDefault(request ->
                Integer.parseInt(request.header("X-Amebo-Attempt")) <= 3 ? Reply.status(500) : Reply.status(200));
        List<String> published = new java.util.ArrayList<>();

        // the breaker would rightly hold back a handler failing this much: here only the schedule is under test
        try (ConfigurableApplicationContext dispatcher =
                dispatcher("--amebo.dispatcher.retry-base=1s", "--amebo.dispatcher.breaker-minimum-calls=1000")) {
            for (int i = 0; i < 9; i++) {
                published.add(fixtures.publish(action, "k" + i, "{\"n\": " + i + "}"));
                await().pollDelay(Duration.ofMillis(300)).until(() -> true);
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> receiver.count() >= 36);
        }
        for (String id : published) {
            List<Received> attempts = receiver.requests(r -> id.equals(r.header("webhook-id")));
            assertThat(attempts).extracting(r -> r.header("X-Amebo-Attempt")).containsExactly("1", "2", "3", "4");
            for (int n = 1; n <= 3; n++) {
                long nominal = 1000L << (n - 1);
                long gap = Duration.between(
                                attempts.get(n - 1).receivedAt(),
                                attempts.get(n).receivedAt())
                        .toMillis();
                assertThat(gap)
                        .as("wait before attempt %d of %s to %s", n + 1, id, subscription.subscription())
                        .isBetween((long) (nominal * 0.9), (long) (nominal * 1.1 * 1.05) + 500);
            }
        }
    }
}
