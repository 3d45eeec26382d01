package io.amebo.dispatcher.kafka;

import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.core.DeliveryOutcome;
import io.amebo.dispatcher.delivery.Deliverer;
import io.amebo.dispatcher.delivery.DeliveryRouter;
import io.amebo.dispatcher.delivery.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Replays an action's events appended in {@code [from, to)} to one subscription (DESIGN §6.6), on a consumer of its
 * own with manual assignment, so live delivery and its consumer group are never touched. Replayed events carry
 * their original ids; a failed replay delivery is retried and dead-lettered like a live one. Progress is kept in
 * memory: a replay does not survive a restart of the dispatcher that runs it.
 */
public final class ReplayRunner {

    private static final Logger log = LoggerFactory.getLogger(ReplayRunner.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int IN_FLIGHT = 16;

    private final Supplier<Consumer<String, byte[]>> consumers;
    private final Deliverer deliverer;
    private final DeliveryRouter router;
    private final Map<String, Replay> replays = new ConcurrentHashMap<>();

    public ReplayRunner(Supplier<Consumer<String, byte[]>> consumers, Deliverer deliverer, DeliveryRouter router) {
        this.consumers = consumers;
        this.deliverer = deliverer;
        this.router = router;
    }

    /** A replay's progress; {@code total} is known once its range was located in the log. */
    public static final class Replay {
        final String id;
        final String subscription;
        final Instant from;
        final Instant to;
        final AtomicLong total = new AtomicLong(-1);
        final AtomicLong done = new AtomicLong();
        volatile String status = "running";
        volatile String error;

        Replay(String id, String subscription, Instant from, Instant to) {
            this.id = id;
            this.subscription = subscription;
            this.from = from;
            this.to = to;
        }

        public Map<String, Object> view() {
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("replay", id);
            body.put("subscription", subscription);
            body.put("from", from);
            body.put("to", to);
            body.put("status", status);
            body.put("total", total.get() < 0 ? null : total.get());
            body.put("delivered", done.get());
            if (error != null) {
                body.put("error", error);
            }
            return body;
        }
    }

    public Replay start(SubscriptionState subscription, String topic, Instant from, Instant to) {
        Replay replay = new Replay(UUID.randomUUID().toString(), subscription.subscription(), from, to);
        replays.put(replay.id, replay);
        Thread thread = new Thread(() -> run(replay, subscription, topic), "amebo-replay-" + replay.id);
        thread.setDaemon(true);
        thread.start();
        return replay;
    }

    public Optional<Replay> find(String subscription, String id) {
        return Optional.ofNullable(replays.get(id)).filter(r -> r.subscription.equals(subscription));
    }

    private void run(Replay replay, SubscriptionState subscription, String topic) {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        try (Consumer<String, byte[]> consumer = consumers.get()) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            Map<TopicPartition, Long> start = offsetsAt(consumer, partitions, replay.from);
            Map<TopicPartition, Long> end = offsetsAt(consumer, partitions, replay.to);
            long total = 0;
            Map<TopicPartition, Long> open = new HashMap<>();
            for (TopicPartition p : partitions) {
                long count = Math.max(0, end.get(p) - start.get(p));
                total += count;
                if (count > 0) {
                    open.put(p, start.get(p));
                }
            }
            replay.total.set(total);
            consumer.assign(open.keySet());
            open.forEach(consumer::seek);
            while (!open.isEmpty()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    TopicPartition p = new TopicPartition(record.topic(), record.partition());
                    if (!open.containsKey(p) || record.offset() >= end.get(p)) {
                        continue;
                    }
                    slots.acquireUninterruptibly();
                    deliver(subscription, record, replay, slots);
                    if (record.offset() + 1 >= end.get(p)) {
                        open.remove(p);
                        consumer.pause(List.of(p));
                    }
                }
            }
            slots.acquireUninterruptibly(IN_FLIGHT); // every delivery settled
            replay.status = "done";
        } catch (RuntimeException e) {
            log.warn("Replay {} of {} failed", replay.id, replay.subscription, e);
            replay.error = e.toString();
            replay.status = "failed";
        }
    }

    private void deliver(
            SubscriptionState subscription, ConsumerRecord<String, byte[]> record, Replay replay, Semaphore slots) {
        Event event = Event.fromEventRecord(subscription.action(), record);
        deliverer
                .deliver(subscription, event, 1)
                .flatMap(outcome -> outcome instanceof DeliveryOutcome.Deferred deferred
                        ? router.postpone(subscription, event, 1, deferred.retryIn())
                        : router.route(subscription, event, 1, outcome))
                .onErrorResume(e -> Mono.empty())
                .doFinally(signal -> {
                    replay.done.incrementAndGet();
                    slots.release();
                })
                .subscribe();
    }

    private static Map<TopicPartition, Long> offsetsAt(
            Consumer<String, byte[]> consumer, List<TopicPartition> partitions, Instant time) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        Map<TopicPartition, Long> result = new HashMap<>();
        partitions.forEach(p ->
                result.put(p, found.get(p) == null ? ends.get(p) : found.get(p).offset()));
        return result;
    }
}
