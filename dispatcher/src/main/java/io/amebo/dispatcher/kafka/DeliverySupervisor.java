package io.amebo.dispatcher.kafka;

import io.amebo.contract.KafkaNames;
import io.amebo.contract.registry.RegistryKeys;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.core.RetryTiers;
import io.amebo.dispatcher.delivery.Deliverer;
import io.amebo.dispatcher.delivery.DeliveryRouter;
import io.amebo.platform.view.RegistryView;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps one {@link SubscriptionWorker} running per active subscription, following the registry view live: a new
 * subscription starts a worker, a paused or deleted one stops it, a changed one updates it. Also runs the shared
 * {@link RetryWorker}, after making sure the retry and dead-letter topics exist.
 */
public final class DeliverySupervisor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliverySupervisor.class);

    private final RegistryView view;
    private final KafkaNames names;
    private final Function<String, Consumer<String, byte[]>> consumers;
    private final Supplier<Admin> admins;
    private final Deliverer deliverer;
    private final DeliveryRouter router;
    private final Clock clock;
    private final int maxInFlight;
    private final short replicationFactor;
    private final Map<String, SubscriptionWorker> workers = new ConcurrentHashMap<>();
    private volatile RetryWorker retries;
    private volatile boolean running;

    public DeliverySupervisor(
            RegistryView view,
            KafkaNames names,
            Function<String, Consumer<String, byte[]>> consumers,
            Supplier<Admin> admins,
            Deliverer deliverer,
            DeliveryRouter router,
            Clock clock,
            int maxInFlight,
            short replicationFactor) {
        this.view = view;
        this.names = names;
        this.consumers = consumers;
        this.admins = admins;
        this.deliverer = deliverer;
        this.router = router;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
        this.replicationFactor = replicationFactor;
    }

    @Override
    public synchronized void start() {
        running = true;
        List<String> retryTopics =
                RetryTiers.TIERS.stream().map(names::retryTopic).toList();
        ensureTopics(retryTopics);
        retries = new RetryWorker(
                retryTopics,
                () -> consumers.apply(names.prefix() + ".retry"),
                view,
                deliverer,
                router,
                clock,
                maxInFlight * 4);
        retries.start();
        view.addListener((kind, name, previous, current) -> {
            if (kind == RegistryKeys.Kind.SUBSCRIPTION) {
                reconcile(name, Optional.ofNullable((SubscriptionState) current));
            }
        });
        view.subscriptions().forEach(s -> reconcile(s.subscription(), Optional.of(s)));
    }

    /** Brings one subscription's worker in line with its registry state. */
    private synchronized void reconcile(String name, Optional<SubscriptionState> state) {
        if (!running) {
            return;
        }
        SubscriptionWorker worker = workers.get(name);
        boolean wanted = state.map(SubscriptionState::isActive).orElse(false);
        if (!wanted) {
            if (worker != null) {
                workers.remove(name);
                worker.stop();
                log.info("Stopped delivery for subscription {}", name);
            }
            return;
        }
        SubscriptionState subscription = state.get();
        if (worker != null) {
            worker.update(subscription);
            return;
        }
        SubscriptionWorker started = new SubscriptionWorker(
                subscription,
                names.eventTopic(subscription.action()),
                () -> consumers.apply(names.liveGroup(name)),
                deliverer,
                router,
                clock,
                maxInFlight);
        workers.put(name, started);
        router.registerMeters(name);
        started.start();
        log.info("Started delivery for subscription {} of {}", name, subscription.action());
    }

    private void ensureTopics(List<String> retryTopics) {
        try (Admin admin = admins.get()) {
            List<NewTopic> wanted = new java.util.ArrayList<>();
            retryTopics.forEach(t -> wanted.add(new NewTopic(t, 3, replicationFactor)));
            wanted.add(new NewTopic(names.deadLetterTopic(), 3, replicationFactor));
            admin.createTopics(wanted).values().forEach((topic, future) -> {
                try {
                    future.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        log.warn(
                                "Could not create topic {}: {}",
                                topic,
                                e.getCause().toString());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    /** Subscriptions being delivered right now. */
    public java.util.Set<String> active() {
        return java.util.Set.copyOf(workers.keySet());
    }

    @Override
    public synchronized void stop() {
        running = false;
        workers.values().parallelStream().forEach(SubscriptionWorker::stop);
        workers.clear();
        if (retries != null) {
            retries.stop();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the registry view, which must be filling before workers ask it for subscriptions. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 2000;
    }
}
