package io.amebo.dispatcher.kafka;

import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.core.DeliveryOutcome;
import io.amebo.dispatcher.core.OffsetTracker;
import io.amebo.dispatcher.delivery.Deliverer;
import io.amebo.dispatcher.delivery.DeliveryRouter;
import io.amebo.dispatcher.delivery.DeliveryRouter.Disposition;
import io.amebo.dispatcher.delivery.Event;
import io.amebo.platform.kafka.ConsumerLoop;
import io.amebo.platform.view.RegistryView;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
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
 * Delivers what waits on the shared retry topics (retries and delayed first deliveries), for every subscription,
 * in consumer group {@code <prefix>.retry}. Each record says when it is due; a partition whose head is not due yet
 * is paused and rewound to it until then, so waiting holds no thread and nothing else. An attempt the breaker
 * does not allow is put back without counting.
 */
final class RetryWorker extends ConsumerLoop {

    private static final Logger log = LoggerFactory.getLogger(RetryWorker.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration PAUSED_SUBSCRIPTION_WAIT = Duration.ofSeconds(30);

    private final List<String> topics;
    private final RegistryView view;
    private final Deliverer deliverer;
    private final DeliveryRouter router;
    private final Clock clock;
    private final int maxInFlight;
    private final Semaphore slots;
    private final Map<TopicPartition, OffsetTracker> trackers = new HashMap<>();
    private final Map<TopicPartition, Long> waitingUntil = new HashMap<>();
    private final Queue<ConsumerRecord<String, byte[]>> done = new ConcurrentLinkedQueue<>();
    private final Queue<ConsumerRecord<String, byte[]>> unsettled = new ConcurrentLinkedQueue<>();

    RetryWorker(
            List<String> topics,
            Supplier<Consumer<String, byte[]>> consumers,
            RegistryView view,
            Deliverer deliverer,
            DeliveryRouter router,
            Clock clock,
            int maxInFlight) {
        super("amebo-retries", consumers, Duration.ofSeconds(1));
        this.topics = topics;
        this.view = view;
        this.deliverer = deliverer;
        this.router = router;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
        this.slots = new Semaphore(maxInFlight);
    }

    @Override
    protected void follow(Consumer<String, byte[]> c) {
        c.subscribe(topics, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                settle();
                commit(c);
                partitions.forEach(p -> {
                    trackers.remove(p);
                    waitingUntil.remove(p);
                });
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
        });
        loop(c);
    }

    /** A new session starts clean: what was in flight is consumed again from the committed offsets. */
    @Override
    protected void afterSession() {
        trackers.clear();
        waitingUntil.clear();
        done.clear();
        unsettled.clear();
        slots.drainPermits();
        slots.release(maxInFlight);
    }

    private void loop(Consumer<String, byte[]> c) {
        while (running()) {
            settle();
            resumeDue(c);
            for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (waitingUntil.containsKey(partition)) {
                    continue; // rewound below; this partition's later records come again when it resumes
                }
                long due = due(record);
                if (due > clock.millis()) {
                    c.pause(List.of(partition));
                    c.seek(partition, record.offset());
                    waitingUntil.put(partition, due);
                    continue;
                }
                if (!acquireSlot()) {
                    break; // stopping
                }
                trackers.computeIfAbsent(partition, p -> new OffsetTracker()).started(record.offset());
                handle(record);
            }
            commit(c);
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        Event event;
        try {
            event = Event.fromCarrier(record);
        } catch (RuntimeException e) {
            log.warn(
                    "Skipping an unreadable retry record at {}-{}@{}",
                    record.topic(),
                    record.partition(),
                    record.offset());
            done.add(record);
            return;
        }
        String name = Event.header(record.headers(), Event.SUBSCRIPTION);
        int attempt = Integer.parseInt(Optional.ofNullable(Event.header(record.headers(), Event.ATTEMPT))
                .orElse("1"));
        Optional<SubscriptionState> subscription = Optional.ofNullable(name).flatMap(view::subscription);
        Mono<Disposition> handled;
        if (subscription.isEmpty()) {
            handled = Mono.just(Disposition.DONE); // the subscription was deleted: its pending deliveries go with it
        } else if (!subscription.get().isActive()) {
            handled = router.postpone(subscription.get(), event, attempt, PAUSED_SUBSCRIPTION_WAIT);
        } else {
            SubscriptionState current = subscription.get();
            handled = deliverer
                    .deliver(current, event, attempt)
                    .flatMap(outcome -> outcome instanceof DeliveryOutcome.Deferred deferred
                            ? router.postpone(current, event, attempt, deferred.retryIn())
                            : router.route(current, event, attempt, outcome));
        }
        handled.subscribe(d -> done.add(record), failure -> {
            log.warn("A retry of {} could not be settled; it will be tried again", event.id(), failure);
            unsettled.add(record); // left uncompleted: redelivered after a restart or rebalance
        });
    }

    /** Waits for an in-flight slot; false when the worker is stopping instead. */
    private boolean acquireSlot() {
        try {
            while (running()) {
                if (slots.tryAcquire(POLL.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return true;
                }
                settle(); // frees the slots of finished deliveries
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private void settle() {
        while (unsettled.poll() != null) {
            slots.release();
        }
        ConsumerRecord<String, byte[]> record;
        while ((record = done.poll()) != null) {
            slots.release();
            OffsetTracker tracker = trackers.get(new TopicPartition(record.topic(), record.partition()));
            if (tracker != null) {
                tracker.completed(record.offset());
            }
        }
    }

    private void resumeDue(Consumer<String, byte[]> c) {
        long now = clock.millis();
        waitingUntil.entrySet().removeIf(entry -> {
            if (entry.getValue() <= now) {
                c.resume(List.of(entry.getKey()));
                return true;
            }
            return false;
        });
    }

    private void commit(Consumer<String, byte[]> c) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        trackers.forEach((partition, tracker) -> {
            OptionalLong position = tracker.committable();
            if (position.isPresent()) {
                offsets.put(partition, new OffsetAndMetadata(position.getAsLong()));
            }
        });
        if (!offsets.isEmpty()) {
            c.commitAsync(offsets, null);
        }
    }

    private static long due(ConsumerRecord<String, byte[]> record) {
        String due = Event.header(record.headers(), Event.DUE);
        try {
            return due == null ? 0 : Long.parseLong(due);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
