package io.amebo.platform.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.amebo.contract.registry.RegistryKeys;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

@RealInfrastructure
class KafkaRegistryViewIT {

    private final SharedKafka kafka = SharedKafka.get();
    private final String topic = SharedKafka.uniqueName("registry");
    private KafkaRegistryView view;

    @AfterEach
    void stop() {
        if (view != null) {
            view.stop();
        }
    }

    @Test
    void materialisesTheChangelogFromTheBeginningAndFollowsIt() throws Exception {
        kafka.createTopic(topic, 1);
        send("application/user-service", APPLICATION);
        send("action/user.created", ACTION);
        send("subscription/welcome-emails", subscription("welcome-emails", "active"));
        send("subscription/gone", subscription("gone", "active"));
        send("subscription/gone", null);
        send("subscription/broken", "{not json");

        view = start();

        assertThat(view.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        assertThat(view.application("user-service")).hasValueSatisfying(a -> {
            assertThat(a.address()).isEqualTo("https://users.myapp.com");
            assertThat(a.secrets()).hasSize(1);
        });
        assertThat(view.action("user.created")).hasValueSatisfying(a -> {
            assertThat(a.topic()).isEqualTo("amebo.user.created");
            assertThat(a.schemata().path("required").get(0).asString()).isEqualTo("user_id");
            assertThat(a.partitionKey()).isEqualTo("/user_id");
        });
        assertThat(view.subscriptionsOf("user.created"))
                .extracting(SubscriptionState::subscription)
                .containsExactly("welcome-emails");
        assertThat(view.subscription("gone")).isEmpty();
        assertThat(view.subscription("broken")).isEmpty();

        List<String> changes = new CopyOnWriteArrayList<>();
        view.addListener((kind, name, previous, current) ->
                changes.add(kind + " " + name + " " + (previous != null) + " " + (current != null)));
        send("subscription/welcome-emails", subscription("welcome-emails", "paused"));
        send("application/user-service", null);

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(changes)
                        .containsExactly(
                                RegistryKeys.Kind.SUBSCRIPTION + " welcome-emails true true",
                                RegistryKeys.Kind.APPLICATION + " user-service true false"));
        assertThat(view.subscription("welcome-emails"))
                .hasValueSatisfying(s -> assertThat(s.isActive()).isFalse());
        assertThat(view.application("user-service")).isEmpty();
    }

    @Test
    void isCaughtUpAtOnceOnAnEmptyChangelog() throws Exception {
        kafka.createTopic(topic, 1);

        view = start();

        assertThat(view.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        assertThat(view.subscriptions()).isEmpty();
    }

    @Test
    void waitsQuietlyForATopicTheRegistryHasNotCreatedYetThenReadsIt() throws Exception {
        // a consumer assigned to a missing topic logs UNKNOWN_TOPIC_OR_PARTITION at every metadata round trip
        Logger networkClient = (Logger) LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient");
        ListAppender<ILoggingEvent> kafkaLog = new ListAppender<>();
        kafkaLog.start();
        networkClient.addAppender(kafkaLog);
        try {
            view = start(); // as a gateway or dispatcher started before the registry ever ran

            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> !view.isCaughtUp());
            kafka.createTopic(topic, 1);
            send("application/user-service", APPLICATION);

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> view.application("user-service").isPresent());
            assertThat(view.isCaughtUp()).isTrue();
        } finally {
            networkClient.detachAppender(kafkaLog);
        }
        assertThat(kafkaLog.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(message -> message.contains(topic));
    }

    private KafkaRegistryView start() {
        var props = kafka.consumerProperties("unused");
        props.remove("group.id");
        KafkaRegistryView started = new KafkaRegistryView(
                () -> new KafkaConsumer<>(props), topic, JsonMapper.builder().build());
        started.start();
        return started;
    }

    private void send(String key, String json) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            producer.send(new ProducerRecord<>(topic, key, json == null ? null : json.getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
    }

    private static String subscription(String name, String status) {
        return """
                {"subscription":"%s","application":"email-service","action":"user.created",
                 "handler":"/webhooks/user-created","max_retries":5,"ordered":false,"rate_limit":null,
                 "description":null,"status":"%s","paused_reason":null,"timestamped":"2026-01-01T00:00:00Z"}""".formatted(name, status);
    }

    private static final String APPLICATION = """
            {"application":"user-service","address":"https://users.myapp.com",
             "secrets":[{"sealed":"v1.abc","until":null}],"timestamped":"2026-01-01T00:00:00Z"}""";

    private static final String ACTION = """
            {"action":"user.created","application":"user-service","topic":"amebo.user.created","version":1,
             "schemata":{"type":"object","required":["user_id"]},"partitions":3,"retention":"PT168H",
             "partition_key":"/user_id","compatibility":"backward","description":null,
             "timestamped":"2026-01-01T00:00:00Z"}""";
}
