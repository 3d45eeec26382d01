package io.amebo.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

@RealInfrastructure
class RealInfrastructureIT {

    @Test
    void producesToAndConsumesFromTheInProcessBroker(SharedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueName("harness");
        kafka.createTopic(topic, 3);

        List<RecordMetadata> acks = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            for (int i = 0; i < 10; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, "k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get());
            }
        }

        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(kafka.consumerProperties(SharedKafka.uniqueName("group")))) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < 10 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
        }

        assertThat(acks).allSatisfy(ack -> assertThat(ack.offset()).isNotNegative());
        assertThat(values).containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
    }

    @Test
    void refusesToAutoCreateTopicsAsProductionDoes(SharedKafka kafka) throws Exception {
        String topic = SharedKafka.uniqueName("never-created");
        Properties props = kafka.producerProperties();
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1500);

        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, new byte[] {1}))
                            .get())
                    .rootCause()
                    .isInstanceOfAny(UnknownTopicOrPartitionException.class, TimeoutException.class);
        }
        try (var admin = kafka.admin()) {
            assertThat(admin.listTopics().names().get()).doesNotContain(topic);
        }
    }

    @Test
    void writesToAndReadsFromPostgres(SharedPostgres postgres) throws Exception {
        SharedPostgres.Database database = postgres.newDatabase(SharedKafka.uniqueName("harness"));

        try (Connection connection = database.connect();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE notes (id bigint PRIMARY KEY, text text NOT NULL)");
            statement.execute("INSERT INTO notes VALUES (1, 'one'), (2, 'two')");
            try (ResultSet rows = statement.executeQuery("SELECT text FROM notes ORDER BY id")) {
                List<String> texts = new ArrayList<>();
                while (rows.next()) {
                    texts.add(rows.getString(1));
                }
                assertThat(texts).containsExactly("one", "two");
            }
            try (ResultSet version = statement.executeQuery("SHOW server_version")) {
                version.next();
                assertThat(version.getString(1)).startsWith("17.");
            }
        }
    }

    @Test
    void publishesSpringBootPropertiesForTheSharedInfrastructure(SharedKafka kafka) {
        assertThat(System.getProperty("spring.kafka.bootstrap-servers")).isEqualTo(kafka.bootstrapServers());
        assertThat(System.getProperty("spring.r2dbc.url")).startsWith("r2dbc:postgresql://localhost:");
        assertThat(System.getProperty("spring.flyway.url")).startsWith("jdbc:postgresql://localhost:");
    }
}
