package io.amebo.dispatcher.kafka;

import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.delivery.DeliveryExecutor;
import io.amebo.dispatcher.delivery.DeliveryExecutor.Mode;
import io.amebo.dispatcher.delivery.DeliveryExecutor.Settled;
import io.amebo.dispatcher.delivery.Event;
import io.amebo.platform.view.RegistryView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Delivers what waits on the shared retry topics (retries, delayed first deliveries, deferred attempts), for every
 * subscription, in consumer group {@code <prefix>.retry}. A record is readable at its hop time (its write time plus
 * its tier, see {@code RetryTiers}); a partition whose head is not readable yet is paused and rewound to it until
 * then, so waiting holds no thread and nothing else. A record whose subscription was deleted or replaced (another
 * identity under its name) is dropped: a subscription's retries belong to it, not to its name (DESIGN §6.9).
 * Started only once the registry view has caught up, so a subscription it has not seen yet is never taken for a
 * deleted one.
 */
final class RetryWorker extends PartitionedWorker {

    private static final Logger log = LoggerFactory.getLogger(RetryWorker.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final List<String> topics;
    private final RegistryView view;
    private final DeliveryExecutor executor;
    private final Clock clock;
    private final CommitControl commits;

    RetryWorker(
            List<String> topics,
            Supplier<Consumer<String, byte[]>> consumers,
            RegistryView view,
            DeliveryExecutor executor,
            Clock clock,
            WorkerSettings settings) {
        super("amebo-retries", consumers, settings.maxInFlight(), settings.shutdownGrace());
        this.topics = topics;
        this.view = view;
        this.executor = executor;
        this.clock = clock;
        this.commits = new CommitControl("the retry worker", "", settings.commitInterval());
    }

    @Override
    protected void begin(Consumer<String, byte[]> consumer, ConsumerRebalanceListener rebalance) {
        consumer.subscribe(topics, rebalance);
    }

    @Override
    protected boolean accept(
            Consumer<String, byte[]> consumer, PartitionContext context, ConsumerRecord<String, byte[]> record) {
        long readableAt = hopAt(record);
        if (readableAt > clock.millis()) {
            context.heldUntil = readableAt;
            consumer.seek(context.partition, record.offset()); // read again when it is due
            return false;
        }
        context.heldUntil = 0;
        admit(context, record);
        return true;
    }

    @Override
    protected boolean mayFetch(PartitionContext context, long nowMillis) {
        return context.heldUntil <= nowMillis;
    }

    @Override
    protected Duration pollTimeout(long nowMillis) {
        long soonest = POLL.toMillis();
        for (PartitionContext context : contexts.values()) {
            if (context.heldUntil > nowMillis) {
                soonest = Math.min(soonest, context.heldUntil - nowMillis);
            }
        }
        return Duration.ofMillis(Math.max(1, soonest));
    }

    @Override
    protected Mono<Settled> deliver(PartitionContext context, ConsumerRecord<String, byte[]> record) {
        Event event;
        try {
            event = Event.fromCarrier(record);
        } catch (RuntimeException e) {
            log.warn(
                    "Skipping an unreadable retry record at {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.toString());
            return Mono.just(Settled.DROPPED);
        }
        Optional<SubscriptionState> subscription = subscriptionOf(record);
        if (subscription.isEmpty()) {
            return Mono.just(Settled.DROPPED); // deleted, or its name now belongs to another subscription
        }
        int attempt = intHeader(record, Event.ATTEMPT, 1);
        Instant due = Instant.ofEpochMilli(longHeader(record, Event.DUE, 0));
        return executor.resume(subscription.get(), event, attempt, due, Mode.RETRY);
    }

    private Optional<SubscriptionState> subscriptionOf(ConsumerRecord<String, byte[]> record) {
        String name = Event.header(record.headers(), Event.SUBSCRIPTION);
        String id = Event.header(record.headers(), Event.SUBSCRIPTION_ID);
        if (name == null) {
            return Optional.empty();
        }
        return view.subscription(name)
                .filter(s -> id == null || id.isEmpty() || s.identity().isEmpty() || id.equals(s.identity()));
    }

    /** When a record may be read: its hop time; a record from before hops were recorded is readable when due. */
    private static long hopAt(ConsumerRecord<String, byte[]> record) {
        long hop = longHeader(record, Event.HOP_AT, -1);
        return hop >= 0 ? hop : longHeader(record, Event.DUE, 0);
    }

    private static long longHeader(ConsumerRecord<String, byte[]> record, String name, long otherwise) {
        String value = Event.header(record.headers(), name);
        try {
            return value == null ? otherwise : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static int intHeader(ConsumerRecord<String, byte[]> record, String name, int otherwise) {
        return (int) longHeader(record, name, otherwise);
    }

    @Override
    protected CommitControl commits() {
        return commits;
    }
}
