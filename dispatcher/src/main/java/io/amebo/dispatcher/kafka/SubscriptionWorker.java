package io.amebo.dispatcher.kafka;

import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.core.DeliveryOutcome;
import io.amebo.dispatcher.core.OffsetTracker;
import io.amebo.dispatcher.delivery.Deliverer;
import io.amebo.dispatcher.delivery.DeliveryRouter;
import io.amebo.dispatcher.delivery.DeliveryRouter.Disposition;
import io.amebo.dispatcher.delivery.Event;
import io.amebo.platform.kafka.ConsumerLoop;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Live delivery of one subscription: its own thread and consumer in group {@code amebo.sub.<subscription>}, so a
 * slow or dead handler never slows another subscription (DESIGN §5, Isolation).
 *
 * <pre>
 *   poll ─▶ track offset ─▶ wait for an in-flight slot ─▶ deliver (async) ─▶ route outcome ─▶ complete offset
 *     ▲                                                                          │ hold (breaker open)
 *     └── commit highest contiguous completed offset ◀── park ◀──────────────────┘
 * </pre>
 *
 * While the subscription's circuit breaker is open the consumer is paused: events wait in Kafka, nothing spins.
 * Parked events are sent again when the breaker lets a probe through. Offsets are committed only up to the highest
 * contiguous completed offset, so a restart or a rebalance redelivers, never skips (at least once).
 */
final class SubscriptionWorker extends ConsumerLoop {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionWorker.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final String topic;
    private final Deliverer deliverer;
    private final DeliveryRouter router;
    private final Clock clock;
    private final int maxInFlight;
    private final Semaphore slots;
    private final Map<TopicPartition, OffsetTracker> trackers = new HashMap<>();
    private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
    private final Queue<ConsumerRecord<String, byte[]>> parked = new ArrayDeque<>();
    private final Set<TopicPartition> pausedByUs = new HashSet<>();
    // ordered mode: one delivery in flight per key (per partition for keyless events); touched on this thread only
    private final Map<String, ArrayDeque<ConsumerRecord<String, byte[]>>> waiting = new HashMap<>();
    private final Set<String> busyKeys = new HashSet<>();

    private volatile SubscriptionState subscription;

    SubscriptionWorker(
            SubscriptionState subscription,
            String topic,
            Supplier<Consumer<String, byte[]>> consumers,
            Deliverer deliverer,
            DeliveryRouter router,
            Clock clock,
            int maxInFlight) {
        super("amebo-sub-" + subscription.subscription(), consumers, Duration.ofSeconds(1));
        this.subscription = subscription;
        this.topic = topic;
        this.deliverer = deliverer;
        this.router = router;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
        this.slots = new Semaphore(maxInFlight);
    }

    /** A record whose outcome is known: done (commit past it) or held (park it). */
    private record Completion(ConsumerRecord<String, byte[]> record, Disposition disposition) {}

    void update(SubscriptionState changed) {
        this.subscription = changed;
    }

    @Override
    protected void follow(Consumer<String, byte[]> c) {
        c.subscribe(List.of(topic), new Rebalance(c));
        loop(c);
        commit(c, true);
    }

    /** A new session starts clean: what was in flight is consumed again from the committed offsets. */
    @Override
    protected void afterSession() {
        trackers.clear();
        parked.clear();
        pausedByUs.clear();
        waiting.clear();
        busyKeys.clear();
        completions.clear();
        slots.drainPermits();
        slots.release(maxInFlight);
    }

    private void loop(Consumer<String, byte[]> c) {
        while (running()) {
            drainCompletions();
            CircuitBreaker breaker = deliverer.breaker(subscription.subscription());
            boolean open = breaker.getState() == CircuitBreaker.State.OPEN
                    || breaker.getState() == CircuitBreaker.State.FORCED_OPEN;
            if (open || !parked.isEmpty()) {
                pauseAll(c); // nothing new while the handler is down or while parked events wait
            } else {
                resumeAll(c);
            }
            if (!open) {
                retryParked();
            }
            for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
                if (record.timestamp() < subscription.timestamped().toEpochMilli()) {
                    // appended before the subscription existed: not its to deliver (DESIGN §5); a group without
                    // committed offsets starts at the earliest record and skips forward to its creation time
                    OffsetTracker tracker = trackers.computeIfAbsent(partition(record), p -> new OffsetTracker());
                    tracker.started(record.offset());
                    tracker.completed(record.offset());
                    continue;
                }
                if (!acquireSlot()) {
                    break; // stopping: what was polled and not started is consumed again next time
                }
                trackers.computeIfAbsent(partition(record), p -> new OffsetTracker())
                        .started(record.offset());
                dispatch(record);
            }
            commit(c, false);
        }
    }

    /** A freshly polled record: in ordered mode it waits behind an earlier one of its key. */
    private void dispatch(ConsumerRecord<String, byte[]> record) {
        if (subscription.ordered()) {
            String key = orderKey(record);
            if (!busyKeys.add(key)) {
                waiting.computeIfAbsent(key, k -> new ArrayDeque<>()).add(record);
                return;
            }
        }
        send(record);
    }

    private void send(ConsumerRecord<String, byte[]> record) {
        SubscriptionState current = subscription;
        Event event = Event.fromEventRecord(current.action(), record);
        Instant now = clock.instant();
        Mono<Disposition> handled;
        if (current.ordered()) {
            Duration wait = event.notBefore()
                    .filter(at -> at.isAfter(now))
                    .map(at -> Duration.between(now, at))
                    .orElse(Duration.ZERO);
            handled = Mono.delay(wait).then(Mono.defer(() -> inOrder(current, event, 1)));
        } else if (event.notBefore().filter(at -> at.isAfter(now)).isPresent()) {
            handled = router.delay(current, event, event.notBefore().get());
        } else {
            handled = deliverer.deliver(current, event, 1).flatMap(outcome -> router.route(current, event, 1, outcome));
        }
        handled.subscribe(disposition -> completions.add(new Completion(record, disposition)), failure -> {
            log.warn(
                    "Delivery of {} to {} could not be settled; it stays uncommitted",
                    event.id(),
                    current.subscription(),
                    failure);
            completions.add(new Completion(record, Disposition.HOLD));
        });
    }

    /**
     * Ordered mode: retries happen in place, holding the key (and so its order) but not the partition's other keys;
     * an open breaker is waited out without counting an attempt. The attempt count lives in memory: a restart
     * begins the event again at attempt 1.
     */
    private Mono<Disposition> inOrder(SubscriptionState current, Event event, int attempt) {
        return deliverer.deliver(current, event, attempt).flatMap(outcome -> {
            if (outcome instanceof DeliveryOutcome.Failed failed && attempt < current.maxRetries()) {
                Duration delay = router.retryInPlace(current, event, attempt, failed);
                return Mono.delay(delay).then(Mono.defer(() -> inOrder(subscription, event, attempt + 1)));
            }
            if (outcome instanceof DeliveryOutcome.Deferred deferred) {
                return Mono.delay(deferred.retryIn()).then(Mono.defer(() -> inOrder(subscription, event, attempt)));
            }
            return router.route(current, event, attempt, outcome);
        });
    }

    private static String orderKey(ConsumerRecord<String, byte[]> record) {
        return record.key() != null ? "k:" + record.key() : "p:" + record.partition();
    }

    /** Applies finished deliveries on the consumer thread, which owns the trackers and the consumer. */
    private void drainCompletions() {
        Completion completion;
        while ((completion = completions.poll()) != null) {
            TopicPartition partition = partition(completion.record());
            OffsetTracker tracker = trackers.get(partition);
            if (tracker == null) {
                slots.release();
                continue; // the partition was revoked meanwhile: its new owner delivers it again
            }
            if (completion.disposition() == Disposition.DONE) {
                slots.release();
                tracker.completed(completion.record().offset());
                nextInOrder(completion.record());
            } else {
                parked.add(completion.record());
            }
        }
    }

    /** Ordered mode: the key's next waiting record goes out, or the key is free. */
    private void nextInOrder(ConsumerRecord<String, byte[]> done) {
        String key = orderKey(done);
        ArrayDeque<ConsumerRecord<String, byte[]>> queue = waiting.get(key);
        ConsumerRecord<String, byte[]> next = queue == null ? null : queue.poll();
        if (next == null) {
            waiting.remove(key);
            busyKeys.remove(key);
        } else {
            send(next);
        }
    }

    /** Sends parked events again, one at a time while the breaker probes. */
    private void retryParked() {
        ConsumerRecord<String, byte[]> record;
        while ((record = parked.poll()) != null) {
            if (!trackers.containsKey(partition(record))) {
                slots.release(); // revoked: its new owner delivers it
                continue;
            }
            send(record); // it kept its in-flight slot (and, ordered, its key) while parked
        }
    }

    /** Waits for an in-flight slot; false when the worker is stopping instead. */
    private boolean acquireSlot() {
        while (running()) {
            try {
                if (slots.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            drainCompletions(); // frees slots of finished deliveries
        }
        return false;
    }

    private void commit(Consumer<String, byte[]> c, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        trackers.forEach((partition, tracker) -> {
            OptionalLong position = tracker.committable();
            if (position.isPresent()) {
                offsets.put(partition, new OffsetAndMetadata(position.getAsLong()));
            }
        });
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            c.commitSync(offsets);
        } else {
            c.commitAsync(offsets, (committed, failure) -> {
                if (failure != null) {
                    log.debug(
                            "Commit for {} failed (a later one covers it): {}",
                            subscription.subscription(),
                            failure.toString());
                }
            });
        }
    }

    private void pauseAll(Consumer<String, byte[]> c) {
        Set<TopicPartition> assigned = c.assignment();
        if (!pausedByUs.containsAll(assigned)) {
            c.pause(assigned);
            pausedByUs.addAll(assigned);
        }
    }

    private void resumeAll(Consumer<String, byte[]> c) {
        if (!pausedByUs.isEmpty()) {
            c.resume(pausedByUs);
            pausedByUs.clear();
        }
    }

    /** On a rebalance, commit what is done for the partitions that leave, and forget them. */
    private final class Rebalance implements ConsumerRebalanceListener {
        private final Consumer<String, byte[]> c;

        Rebalance(Consumer<String, byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            drainCompletions();
            commit(c, true);
            partitions.forEach(trackers::remove);
            pausedByUs.removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // assigned partitions start at the group's committed offsets, or at the earliest (auto.offset.reset)
        }
    }

    private static TopicPartition partition(ConsumerRecord<String, byte[]> record) {
        return new TopicPartition(record.topic(), record.partition());
    }
}
