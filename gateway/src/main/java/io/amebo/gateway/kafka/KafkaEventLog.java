package io.amebo.gateway.kafka;

import io.amebo.platform.kafka.Sends;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The event topics as a log: appends through one shared idempotent producer (acks=all), and reads by position or
 * by time range through a small pool of group-less consumers. Reads block on Kafka and run on the bounded-elastic
 * scheduler; appends never leave the caller's thread, except that {@code send} may block up to the producer's
 * {@code max.block.ms} when its buffer is full.
 *
 * <p>Time ranges rely on the topics' LogAppendTime timestamps (the registry creates them so): within a partition,
 * timestamps never decrease with offsets, so a range is a contiguous offset span per partition, and merging the
 * partitions (of one topic or several) by (timestamp, topic, partition, offset) gives one stable order.
 */
public final class KafkaEventLog implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration METADATA_BACKOFF = Duration.ofMillis(50);
    /** A range's order: heads of different partitions never share a (topic, partition). */
    private static final Comparator<ConsumerRecord<String, byte[]>> ORDER =
            Comparator.<ConsumerRecord<String, byte[]>>comparingLong(ConsumerRecord::timestamp)
                    .thenComparing(ConsumerRecord::topic)
                    .thenComparingInt(ConsumerRecord::partition);

    private final Producer<String, byte[]> producer;
    private final BlockingQueue<Reader> readers;
    private final Supplier<Consumer<String, byte[]>> newConsumer;
    private final Duration readTimeout;

    public KafkaEventLog(
            Producer<String, byte[]> producer,
            Supplier<Consumer<String, byte[]>> newConsumer,
            int readers,
            Duration readTimeout) {
        this.producer = producer;
        this.newConsumer = newConsumer;
        this.readers = new ArrayBlockingQueue<>(readers);
        for (int i = 0; i < readers; i++) {
            this.readers.add(new Reader());
        }
        this.readTimeout = readTimeout;
    }

    /**
     * Completes with the broker's ack; errors as the producer reports (timeout, buffer exhausted, ...). A topic the
     * producer has no metadata for yet (an action registered a moment ago, whose topic has not reached this broker's
     * metadata) is asked again until the caller's timeout: such a send never reached the producer's buffer, so
     * sending again cannot write the event twice.
     */
    public Mono<RecordMetadata> append(ProducerRecord<String, byte[]> record) {
        return Mono.fromFuture(() -> Sends.acked(producer, record))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, METADATA_BACKOFF)
                        .maxBackoff(METADATA_BACKOFF.multipliedBy(10))
                        .filter(KafkaEventLog::noMetadataYet));
    }

    /** Kafka's producer says so only in the message of its {@code TimeoutException}, before it buffers the record. */
    private static boolean noMetadataYet(Throwable failure) {
        return failure instanceof org.apache.kafka.common.errors.TimeoutException
                && failure.getMessage() != null
                && failure.getMessage().contains("not present in metadata");
    }

    /** The record at (topic, partition, offset), or empty when there is none (never written, or expired). */
    public Mono<Optional<ConsumerRecord<String, byte[]>>> read(String topic, int partition, long offset) {
        return withConsumer(consumer -> readAt(consumer, new TopicPartition(topic, partition), offset));
    }

    /**
     * One page of the range [from, to) of these topics merged in (timestamp, topic, partition, offset) order. With a
     * {@code resume} (partition → next offset, from the previous page's {@code next}), only the partitions it names are
     * read, from those offsets: the others were finished.
     */
    public Mono<RangePage> page(
            Collection<String> topics, Instant from, Instant to, Map<TopicPartition, Long> resume, int limit) {
        return withConsumer(consumer -> readPage(consumer, topics, from, to, resume, limit));
    }

    /**
     * Every event of [from, to) of these topics in the order of {@link #page}, read page by page as the subscriber
     * asks for more: at most one page is held at a time, however long the range and however many the topics.
     */
    public Flux<ConsumerRecord<String, byte[]>> stream(
            Collection<String> topics, Instant from, Instant to, int pageSize) {
        return page(topics, from, to, Map.of(), pageSize)
                .expand(p ->
                        p.next().isPresent() ? page(topics, from, to, p.next().get(), pageSize) : Mono.empty())
                .concatMapIterable(RangePage::records);
    }

    /** A page of records in (timestamp, topic, partition, offset) order; {@code next} is absent on the last page. */
    public record RangePage(List<ConsumerRecord<String, byte[]>> records, Optional<Map<TopicPartition, Long>> next) {}

    /** A pooled slot; its consumer is created on first use. Only the borrower touches it. */
    private static final class Reader {
        Consumer<String, byte[]> consumer;
    }

    private <T> Mono<T> withConsumer(Function<Consumer<String, byte[]>, T> work) {
        return Mono.fromCallable(() -> {
                    Reader reader = readers.poll(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    if (reader == null) {
                        throw new ReadersBusyException();
                    }
                    try {
                        if (reader.consumer == null) {
                            reader.consumer = newConsumer.get();
                        }
                        return work.apply(reader.consumer);
                    } finally {
                        if (reader.consumer != null) {
                            reader.consumer.unsubscribe();
                        }
                        readers.offer(reader);
                    }
                })
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** All readers are busy; the caller should answer 503 and let the client retry. */
    public static final class ReadersBusyException extends RuntimeException {
        ReadersBusyException() {
            super("all event readers are busy", null, false, false);
        }
    }

    private Optional<ConsumerRecord<String, byte[]>> readAt(
            Consumer<String, byte[]> consumer, TopicPartition partition, long offset) {
        if (consumer.partitionsFor(partition.topic(), readTimeout).size() <= partition.partition()) {
            return Optional.empty();
        }
        List<TopicPartition> one = List.of(partition);
        // assigned before its offsets are asked: a read_committed consumer that learns a partition's offsets while
        // not assigned to it warns, once a read, that it cannot note the partition's last stable offset
        consumer.assign(one);
        long end = consumer.endOffsets(one, readTimeout).getOrDefault(partition, 0L);
        long start = consumer.beginningOffsets(one, readTimeout).getOrDefault(partition, 0L);
        if (offset >= end || offset < start) {
            return Optional.empty();
        }
        consumer.seek(partition, offset);
        long deadline = System.nanoTime() + readTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                return record.offset() == offset ? Optional.of(record) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private RangePage readPage(
            Consumer<String, byte[]> consumer,
            Collection<String> topics,
            Instant from,
            Instant to,
            Map<TopicPartition, Long> resume,
            int limit) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            for (PartitionInfo info : consumer.partitionsFor(topic, readTimeout)) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        if (partitions.isEmpty()) {
            return new RangePage(List.of(), Optional.empty());
        }
        consumer.assign(partitions); // before asking their offsets, as in readAt
        Map<TopicPartition, Long> ends = endsAt(consumer, partitions, to);
        Map<TopicPartition, Long> next = new HashMap<>();
        Map<TopicPartition, Long> starts = resume.isEmpty() ? endsAt(consumer, partitions, from) : Map.of();
        for (TopicPartition p : partitions) {
            long start = resume.isEmpty() ? starts.get(p) : resume.getOrDefault(p, ends.get(p));
            if (start < ends.get(p)) {
                next.put(p, start);
            }
        }
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        if (!next.isEmpty()) {
            consumer.assign(next.keySet());
            next.forEach(consumer::seek);
            Map<TopicPartition, Deque<ConsumerRecord<String, byte[]>>> buffered = new HashMap<>();
            long deadline = System.nanoTime() + readTimeout.toNanos();
            while (out.size() < limit && !next.isEmpty()) {
                fill(consumer, next, ends, buffered, deadline);
                TopicPartition head = earliest(next.keySet(), buffered);
                if (head == null) {
                    break; // the broker did not answer in time: return what we have, resumable
                }
                ConsumerRecord<String, byte[]> record = buffered.get(head).poll();
                out.add(record);
                if (record.offset() + 1 >= ends.get(head)) {
                    next.remove(head);
                } else {
                    next.put(head, record.offset() + 1);
                }
            }
        }
        return new RangePage(out, next.isEmpty() ? Optional.empty() : Optional.of(Map.copyOf(next)));
    }

    /** Polls until every open partition has a buffered record, or the deadline passes. */
    private static void fill(
            Consumer<String, byte[]> consumer,
            Map<TopicPartition, Long> next,
            Map<TopicPartition, Long> ends,
            Map<TopicPartition, Deque<ConsumerRecord<String, byte[]>>> buffered,
            long deadline) {
        while (System.nanoTime() < deadline && next.keySet().stream().anyMatch(p -> empty(buffered, p))) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                TopicPartition p = new TopicPartition(record.topic(), record.partition());
                if (next.containsKey(p) && record.offset() >= next.get(p) && record.offset() < ends.get(p)) {
                    buffered.computeIfAbsent(p, k -> new ArrayDeque<>()).add(record);
                }
            }
        }
    }

    private static TopicPartition earliest(
            Collection<TopicPartition> open, Map<TopicPartition, Deque<ConsumerRecord<String, byte[]>>> buffered) {
        TopicPartition best = null;
        ConsumerRecord<String, byte[]> bestRecord = null;
        for (TopicPartition p : open) {
            if (empty(buffered, p)) {
                return null; // cannot order without every open partition's head
            }
            ConsumerRecord<String, byte[]> head = buffered.get(p).peek();
            if (bestRecord == null || ORDER.compare(head, bestRecord) < 0) {
                best = p;
                bestRecord = head;
            }
        }
        return best;
    }

    private static boolean empty(
            Map<TopicPartition, Deque<ConsumerRecord<String, byte[]>>> buffered, TopicPartition p) {
        Deque<ConsumerRecord<String, byte[]>> queue = buffered.get(p);
        return queue == null || queue.isEmpty();
    }

    /** For each partition, the first offset at or after {@code time}, or the end offset when there is none. */
    private Map<TopicPartition, Long> endsAt(
            Consumer<String, byte[]> consumer, List<TopicPartition> partitions, Instant time) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, readTimeout);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, readTimeout);
        Map<TopicPartition, Long> result = new HashMap<>();
        for (TopicPartition p : partitions) {
            OffsetAndTimestamp at = found.get(p);
            result.put(p, at == null ? ends.get(p) : at.offset());
        }
        return result;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        Reader reader;
        while ((reader = readers.poll()) != null) {
            if (reader.consumer != null) {
                reader.consumer.close(Duration.ofSeconds(2));
            }
        }
    }
}
