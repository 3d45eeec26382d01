package io.amebo.dispatcher.kafka;

import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.delivery.DeliveryExecutor;
import io.amebo.dispatcher.delivery.DeliveryExecutor.Mode;
import io.amebo.dispatcher.delivery.DeliveryExecutor.Settled;
import io.amebo.dispatcher.delivery.Event;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import reactor.core.publisher.Mono;

/**
 * Replays an action's events appended in {@code [from, to)} to one subscription (DESIGN §6.6) on a consumer of its
 * own with manual assignment, so live delivery and its group are never touched. Replayed events carry their
 * original ids and go through the same rules as live ones, ordered or not as the subscription is. A partition is
 * finished when the consumer's position reached the window's end, whatever sits at the last offsets (transaction
 * markers, say), and the replay when every partition is finished and every event settled. If its consumer fails,
 * the replay goes on from where each partition's settled events end.
 */
final class ReplayWorker extends PartitionedWorker {

    private final Replay replay;
    private final SubscriptionState subscription;
    private final String topic;
    private final DeliveryExecutor executor;
    private final Clock clock;
    private final Map<TopicPartition, Long> resumeAt = new HashMap<>();
    private final Map<TopicPartition, Long> ends = new HashMap<>();
    private boolean located;

    ReplayWorker(
            Replay replay,
            SubscriptionState subscription,
            String topic,
            Supplier<Consumer<String, byte[]>> consumers,
            DeliveryExecutor executor,
            Clock clock,
            WorkerSettings settings) {
        super("amebo-replay-" + replay.id(), consumers, settings.maxInFlight(), settings.shutdownGrace());
        this.replay = replay;
        this.subscription = subscription;
        this.topic = topic;
        this.executor = executor;
        this.clock = clock;
    }

    @Override
    protected void begin(Consumer<String, byte[]> consumer, ConsumerRebalanceListener rebalance) {
        if (!located) {
            locate(consumer);
        }
        List<PartitionContext> open = new ArrayList<>();
        resumeAt.forEach((partition, offset) -> {
            if (offset < ends.get(partition)) {
                PartitionContext context = new PartitionContext(partition);
                context.end = ends.get(partition);
                open.add(context);
            }
        });
        consumer.assign(open.stream().map(context -> context.partition).toList());
        open.forEach(context -> consumer.seek(context.partition, resumeAt.get(context.partition)));
        assigned(consumer, open);
    }

    /** Finds the window's first and last offsets in every partition (by LogAppendTime). */
    private void locate(Consumer<String, byte[]> consumer) {
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        Map<TopicPartition, Long> start = offsetsAt(consumer, partitions, replay.from());
        Map<TopicPartition, Long> end = offsetsAt(consumer, partitions, replay.to());
        long total = 0;
        for (TopicPartition partition : partitions) {
            resumeAt.put(partition, start.get(partition));
            ends.put(partition, end.get(partition));
            total += Math.max(0, end.get(partition) - start.get(partition));
        }
        replay.located(total); // an upper bound where transaction markers sit in the window
        located = true;
    }

    private static Map<TopicPartition, Long> offsetsAt(
            Consumer<String, byte[]> consumer, List<TopicPartition> partitions, Instant time) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        Map<TopicPartition, Long> logEnds = consumer.endOffsets(partitions);
        Map<TopicPartition, Long> result = new HashMap<>();
        partitions.forEach(p -> result.put(
                p, found.get(p) == null ? logEnds.get(p) : found.get(p).offset()));
        return result;
    }

    @Override
    protected boolean accept(
            Consumer<String, byte[]> consumer, PartitionContext context, ConsumerRecord<String, byte[]> record) {
        if (record.offset() >= context.end) {
            return false; // past the window
        }
        if (subscription.filter() != null
                && !executor.passesFilter(subscription, Event.fromEventRecord(subscription.action(), record))) {
            skip(context, record); // the subscription's filter holds for its replays too
            return true;
        }
        admit(context, record);
        return true;
    }

    @Override
    protected Mono<Settled> deliver(PartitionContext context, ConsumerRecord<String, byte[]> record) {
        Event event = Event.fromEventRecord(subscription.action(), record);
        Mode mode = subscription.ordered() ? Mode.ORDERED : Mode.REPLAY;
        return executor.deliver(subscription, event, 1, SubscriptionWorker.due(event, clock), mode);
    }

    @Override
    protected String orderKey(ConsumerRecord<String, byte[]> record) {
        return subscription.ordered() ? SubscriptionWorker.keyOf(record) : null;
    }

    @Override
    protected boolean mayFetch(PartitionContext context, long nowMillis) {
        return !context.atEnd;
    }

    @Override
    protected void onSettled(PartitionContext context, ConsumerRecord<String, byte[]> record, Settled settled) {
        replay.settled(settled);
    }

    /** Every partition's position reached its end and everything taken has settled. */
    @Override
    protected boolean finished(Consumer<String, byte[]> consumer) {
        boolean all = true;
        for (PartitionContext context : contexts.values()) {
            OptionalLong settledUpTo = context.offsets.position();
            long position = consumer.position(context.partition, Duration.ofSeconds(5));
            resumeAt.put(context.partition, settledUpTo.orElse(position));
            context.atEnd = position >= context.end;
            all &= position >= context.end && context.offsets.pending() == 0;
        }
        if (all) {
            replay.done();
        }
        return all;
    }

    @Override
    protected CommitControl commits() {
        return null;
    }
}
