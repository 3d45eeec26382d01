package io.amebo.dispatcher.kafka;

import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.delivery.DeliveryExecutor;
import io.amebo.dispatcher.delivery.DeliveryExecutor.Mode;
import io.amebo.dispatcher.delivery.DeliveryExecutor.Settled;
import io.amebo.dispatcher.delivery.Event;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Live delivery of one subscription: its own thread and consumer in group {@code amebo.sub.<subscription>}, so a
 * slow or dead handler never slows another subscription (DESIGN §5, Isolation). Unordered, up to
 * {@code maxInFlight} deliveries run at once; ordered, one per key (per partition for keyless events).
 *
 * <p>Where a newly assigned partition starts: at the group's committed offset if this subscription committed it
 * (commits carry its identity), else at the first event appended at or after the subscription's creation time, so
 * a new subscription never starts at whatever "latest" happens to be, and a later subscription with an earlier
 * one's name never inherits its position. While the subscription's breaker is open its partitions are paused:
 * events wait in Kafka, and those already taken wait in memory for the breaker. Offsets are committed only up to
 * the highest contiguous settled offset, so a restart or a rebalance redelivers, never skips (at least once).
 */
final class SubscriptionWorker extends PartitionedWorker {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionWorker.class);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(5);

    private final String topic;
    private final DeliveryExecutor executor;
    private final CircuitBreaker breaker;
    private final Clock clock;
    private final CommitControl commits;
    private final boolean ordered;
    private volatile SubscriptionState subscription;

    SubscriptionWorker(
            SubscriptionState subscription,
            String topic,
            Supplier<Consumer<String, byte[]>> consumers,
            DeliveryExecutor executor,
            CircuitBreaker breaker,
            Clock clock,
            WorkerSettings settings) {
        super("amebo-sub-" + subscription.subscription(), consumers, settings.maxInFlight(), settings.shutdownGrace());
        this.subscription = subscription;
        this.topic = topic;
        this.executor = executor;
        this.breaker = breaker;
        this.clock = clock;
        this.ordered = subscription.ordered();
        this.commits = new CommitControl(
                "subscription " + subscription.subscription(), subscription.identity(), settings.commitInterval());
    }

    SubscriptionState subscription() {
        return subscription;
    }

    /** A change that keeps the subscription's identity, action and ordering (those start a new worker). */
    void update(SubscriptionState changed) {
        this.subscription = changed;
    }

    @Override
    protected void begin(Consumer<String, byte[]> consumer, ConsumerRebalanceListener rebalance) {
        consumer.subscribe(List.of(topic), rebalance);
    }

    @Override
    protected PartitionContext newContext(TopicPartition partition) {
        PartitionContext context = new PartitionContext(partition);
        context.positioned = false;
        return context;
    }

    /**
     * Positions newly assigned partitions: at this subscription's committed offset, else by its creation time.
     * Outside the rebalance callback, with short timeouts: a slow lookup is simply made again on the next round.
     */
    @Override
    protected void prepare(Consumer<String, byte[]> consumer) {
        Set<TopicPartition> unpositioned = contexts.values().stream()
                .filter(context -> !context.positioned)
                .map(context -> context.partition)
                .collect(Collectors.toSet());
        if (unpositioned.isEmpty()) {
            return;
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(unpositioned, LOOKUP_TIMEOUT);
            Map<TopicPartition, Long> byTime = new HashMap<>();
            for (TopicPartition partition : unpositioned) {
                OffsetAndMetadata offset = committed.get(partition);
                if (offset != null && ours(offset)) {
                    consumer.seek(partition, offset);
                    contexts.get(partition).positioned = true;
                } else {
                    byTime.put(partition, subscription.startsAt().toEpochMilli());
                }
            }
            if (!byTime.isEmpty()) {
                seekByTime(consumer, byTime);
            }
        } catch (KafkaException e) {
            log.debug("Could not position {} yet: {}", subscription.subscription(), e.toString());
        }
    }

    /** Offsets committed by this subscription; those from before commits carried an identity count as its own. */
    private boolean ours(OffsetAndMetadata offset) {
        String metadata = offset.metadata();
        return metadata == null || metadata.isEmpty() || metadata.equals(commits.metadata());
    }

    /**
     * Seeks to the first event at or after the subscription's start: its {@code backfill_from}, else its creation time. The log's end is read before that
     * lookup: if the lookup finds nothing, every event up to the end read first is older than the subscription, so
     * starting there skips nothing appended since (reading the end after the lookup could skip an event appended
     * between the two). Events older than the creation time that come after that position are skipped one by one
     * ({@link #accept}) until the first one that is not.
     */
    private void seekByTime(Consumer<String, byte[]> consumer, Map<TopicPartition, Long> byTime) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(byTime.keySet(), LOOKUP_TIMEOUT);
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(byTime, LOOKUP_TIMEOUT);
        byTime.keySet().forEach(partition -> {
            OffsetAndTimestamp at = found.get(partition);
            consumer.seek(partition, at != null ? at.offset() : ends.get(partition));
            PartitionContext context = contexts.get(partition);
            context.positioned = true;
            context.skipBefore = subscription.startsAt().toEpochMilli();
        });
    }

    @Override
    protected boolean accept(
            Consumer<String, byte[]> consumer, PartitionContext context, ConsumerRecord<String, byte[]> record) {
        if (record.timestamp() < context.skipBefore) {
            skip(context, record); // appended before the subscription's start: not its to deliver (DESIGN §5)
            return true;
        }
        context.skipBefore = Long.MIN_VALUE; // from here on the log is the subscription's
        SubscriptionState current = subscription;
        if (current.filter() != null
                && !executor.passesFilter(current, Event.fromEventRecord(current.action(), record))) {
            skip(context, record); // filtered out: committed, counted, never delivered nor gisted
            return true;
        }
        admit(context, record);
        return true;
    }

    @Override
    protected Mono<Settled> deliver(PartitionContext context, ConsumerRecord<String, byte[]> record) {
        SubscriptionState current = subscription;
        Event event = Event.fromEventRecord(current.action(), record);
        return executor.deliver(current, event, 1, due(event, clock), ordered ? Mode.ORDERED : Mode.LIVE);
    }

    /** When an event's first delivery is due: now, or its {@code sleep_until}. */
    static Instant due(Event event, Clock clock) {
        Instant now = clock.instant();
        return event.notBefore().filter(at -> at.isAfter(now)).orElse(now);
    }

    @Override
    protected String orderKey(ConsumerRecord<String, byte[]> record) {
        return ordered ? keyOf(record) : null;
    }

    /** Ordered delivery's unit within a partition: the record's key, or the whole partition for keyless records. */
    static String keyOf(ConsumerRecord<String, byte[]> record) {
        return record.key() != null ? "k:" + record.key() : "partition";
    }

    @Override
    protected boolean mayFetch(PartitionContext context, long nowMillis) {
        CircuitBreaker.State state = breaker.getState();
        return state != CircuitBreaker.State.OPEN && state != CircuitBreaker.State.FORCED_OPEN;
    }

    @Override
    protected CommitControl commits() {
        return commits;
    }
}
