package io.amebo.standalone.checker;

import io.amebo.standalone.checker.Checks.DeadLetter;
import io.amebo.standalone.checker.Checks.Position;
import io.amebo.testkit.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Reads what the checks need straight from Kafka, as an ops team would with their own tools: the dead-letter topic
 * and the consumer groups' committed offsets beside the partitions' ends.
 */
final class KafkaObserver implements AutoCloseable {

    private static final Duration CALL = Duration.ofSeconds(15);

    private final SharedKafka kafka;
    private final Admin admin;

    KafkaObserver(SharedKafka kafka) {
        this.kafka = kafka;
        this.admin = kafka.admin();
    }

    /** Every record on the dead-letter topic so far (none while the topic does not exist yet). */
    List<DeadLetter> deadLetters(String topic) {
        List<TopicPartition> partitions = partitions(topic);
        List<DeadLetter> letters = new ArrayList<>();
        if (partitions.isEmpty()) {
            return letters;
        }
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(kafka.consumerProperties("checker-dead-letters"))) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, CALL);
            long deadline = System.nanoTime() + CALL.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, CALL) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end in " + CALL);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    letters.add(new DeadLetter(
                            record.key(),
                            header(record, "amebo_subscription_id"),
                            header(record, "amebo_event_id"),
                            parse(header(record, "amebo_attempt")),
                            header(record, "amebo_last_status"),
                            header(record, "amebo_last_error")));
                }
            }
        }
        return letters;
    }

    /** A group's committed offsets on every partition of {@code topics}, beside each partition's end. */
    List<Position> positions(String group, Collection<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        topics.forEach(t -> partitions.addAll(partitions(t)));
        Map<TopicPartition, OffsetAndMetadata> committed =
                get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResultInfo> ends =
                get(admin.listOffsets(latest).all());
        List<Position> positions = new ArrayList<>();
        for (TopicPartition p : partitions) {
            OffsetAndMetadata offset = committed.get(p);
            positions.add(new Position(
                    group,
                    p.topic(),
                    p.partition(),
                    offset == null ? null : offset.offset(),
                    ends.get(p).offset(),
                    offset == null ? null : offset.metadata()));
        }
        return positions;
    }

    /** Who holds which partitions of a group, by client id: e.g. {@code dispatcher-1 [orders-0, orders-1]}. */
    String members(String group) {
        ConsumerGroupDescription description = get(
                admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
        List<String> members = new ArrayList<>();
        for (MemberDescription member : description.members()) {
            members.add(member.clientId() + " "
                    + member.assignment().topicPartitions().stream()
                            .map(p -> p.topic().substring(p.topic().lastIndexOf('.') + 1) + "-" + p.partition())
                            .sorted()
                            .toList());
        }
        return description.groupState() + " " + members;
    }

    /** The partitions of a topic; none if it does not exist. */
    List<TopicPartition> partitions(String topic) {
        Map<String, TopicDescription> described;
        try {
            described =
                    admin.describeTopics(List.of(topic)).allTopicNames().get(CALL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return List.of();
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("could not describe " + topic, e);
        }
        return described.get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(CALL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static int parse(String number) {
        try {
            return number == null ? -1 : Integer.parseInt(number);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
