package io.amebo.registry;

import io.amebo.testkit.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads the whole {@code amebo.registry} changelog, as any Kafka tool would: key → latest value (null = deleted). */
public final class RegistryChangelog {

    private RegistryChangelog() {}

    public static Map<String, Optional<String>> read(SharedKafka kafka, String topic) {
        Map<String, Optional<String>> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumerProperties("unused"))) {
            TopicPartition partition = new TopicPartition(topic, 0);
            if (consumer.partitionsFor(topic, Duration.ofSeconds(5)).isEmpty()) {
                return latest;
            }
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    latest.put(
                            record.key(),
                            Optional.ofNullable(record.value()).map(v -> new String(v, StandardCharsets.UTF_8)));
                }
            }
        }
        return latest;
    }
}
