package io.amebo.dispatcher.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.contract.KafkaNames;
import io.amebo.dispatcher.Fixtures;
import io.amebo.dispatcher.StubRegistryView;
import io.amebo.dispatcher.delivery.Event;
import io.amebo.dispatcher.store.GistLog;
import io.amebo.platform.store.BackgroundMigration;
import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.WebhookReceiver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Waits on the retry topics (DESIGN §3, §5): a long wait never sits on a tier longer than the tier, retry topics
 * keep records long enough, and nothing is taken from them before the registry view has caught up.
 */
@RealInfrastructure
class RetryTopicsIT {

    @Test
    void aWaitLongerThanEveryTierHopsAlongTheLongestOneInsteadOfSittingOnIt() {
        try (Fixtures fixtures = new Fixtures(SharedKafka.get());
                WebhookReceiver receiver = WebhookReceiver.start()) {
            String owner = SharedKafka.uniqueName("owner");
            String action = SharedKafka.uniqueName("reminder.due");
            fixtures.application(owner, receiver.url("/"), "owner-secret-0123456789");
            fixtures.action(action, owner, 1);
            String subscription = SharedKafka.uniqueName("later");
            fixtures.subscription(subscription, owner, action, "/hook", 3, false);

            try (ConfigurableApplicationContext dispatcher = fixtures.dispatcher()) {
                Instant due = Instant.now().plus(Duration.ofHours(3));
                String id = fixtures.publish(action, null, "{}", due);

                ConsumerRecord<String, byte[]> parked = firstRecord(fixtures.prefix() + ".retry.3600s");
                assertThat(Event.header(parked.headers(), Event.EVENT_ID)).isEqualTo(id);
                assertThat(Long.parseLong(Event.header(parked.headers(), Event.DUE)))
                        .isEqualTo(due.toEpochMilli());
                long hopAt = Long.parseLong(Event.header(parked.headers(), Event.HOP_AT));
                assertThat(hopAt - parked.timestamp())
                        .as("time on the tier")
                        .isBetween(
                                Duration.ofMinutes(59).toMillis(),
                                Duration.ofMinutes(61).toMillis());
                assertThat(receiver.count()).isZero();
            }
        }
    }

    @Test
    void retryTopicsKeepTheirRecordsForTheConfiguredRetention() throws Exception {
        try (Fixtures fixtures = new Fixtures(SharedKafka.get());
                ConfigurableApplicationContext dispatcher =
                        fixtures.dispatcher("--amebo.dispatcher.retry-retention=3d")) {
            String topic = fixtures.prefix() + ".retry.3600s";
            try (var admin = SharedKafka.get().admin()) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> admin.listTopics().names().get().contains(topic));
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config config =
                        admin.describeConfigs(List.of(resource)).all().get().get(resource);
                assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value())
                        .isEqualTo(Long.toString(Duration.ofDays(3).toMillis()));
            }
        }
    }

    @Test
    void nothingIsTakenFromTheRetryTopicsBeforeTheRegistryViewHasCaughtUp() {
        StubRegistryView view = StubRegistryView.behind();
        List<String> groups = new CopyOnWriteArrayList<>();
        KafkaNames names = new KafkaNames(SharedKafka.uniqueName("slow"));
        DeliverySupervisor supervisor = new DeliverySupervisor(
                view,
                names,
                group -> {
                    groups.add(group);
                    return new MockConsumer<>("earliest");
                },
                () -> SharedKafka.get().admin(),
                null,
                null,
                Clock.systemUTC(),
                new WorkerSettings(8, Duration.ofMillis(100), Duration.ofMillis(100)),
                (short) 1,
                Duration.ofDays(7),
                new GistWriter(
                        names.gistTopic(),
                        () -> {
                            groups.add(names.gistWriterGroup());
                            return new MockConsumer<>("earliest");
                        },
                        new GistLog(null, new BackgroundMigration("test", "jdbc:postgresql://localhost:1/x", "u", "p")),
                        JsonMapper.builder().build()));
        supervisor.start();
        try {
            await().pollDelay(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> true);
            assertThat(groups).as("consumers started before the view caught up").isEmpty();

            view.catchUp();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> groups.containsAll(List.of(names.prefix() + ".retry", names.gistWriterGroup())));
        } finally {
            supervisor.stop();
        }
    }

    private static ConsumerRecord<String, byte[]> firstRecord(String topic) {
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(SharedKafka.get().consumerProperties(SharedKafka.uniqueName("peek")))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    return record;
                }
            }
            throw new AssertionError("nothing on " + topic);
        }
    }
}
