package io.amebo.dispatcher.kafka;

import io.amebo.contract.KafkaNames;
import io.amebo.contract.registry.RegistryKeys;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.core.RetryTiers;
import io.amebo.dispatcher.delivery.Deliverer;
import io.amebo.dispatcher.delivery.DeliveryExecutor;
import io.amebo.platform.kafka.ConsumerLoop;
import io.amebo.platform.view.RegistryView;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps one {@link SubscriptionWorker} running per active subscription, following the registry view live: a new
 * subscription starts a worker, a paused or deleted one stops it, a changed one updates it, and a subscription
 * that is another one under the same name (a new identity), or that changed its action or ordering, gets a new
 * worker. Also runs the shared {@link RetryWorker} and the {@link GistWriter}, after making sure the retry,
 * dead-letter and gist journal topics exist.
 *
 * <p>Nothing starts before the registry view has caught up with the changelog: until then a subscription missing
 * from the view may just not have been read yet, and treating it as deleted would drop its retries. Starting
 * happens on a thread of its own, so the service starts (and answers health checks) meanwhile.
 */
public final class DeliverySupervisor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliverySupervisor.class);
    private static final Duration CATCH_UP_LOG_EVERY = Duration.ofSeconds(10);
    private static final Duration TOPICS_RETRY = Duration.ofSeconds(2);
    private static final int RETRY_PARTITIONS = 3;

    private final RegistryView view;
    private final KafkaNames names;
    private final Function<String, Consumer<String, byte[]>> consumers;
    private final Supplier<Admin> admins;
    private final DeliveryExecutor executor;
    private final Deliverer deliverer;
    private final Clock clock;
    private final WorkerSettings settings;
    private final short replicationFactor;
    private final Duration retryRetention;
    private final GistWriter gistWriter;
    private final Map<String, SubscriptionWorker> workers = new ConcurrentHashMap<>();
    private final ExecutorService stopping = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "amebo-worker-stop");
        thread.setDaemon(true);
        return thread;
    });
    private volatile RetryWorker retries;
    private volatile boolean running;
    private volatile Thread starter;

    public DeliverySupervisor(
            RegistryView view,
            KafkaNames names,
            Function<String, Consumer<String, byte[]>> consumers,
            Supplier<Admin> admins,
            DeliveryExecutor executor,
            Deliverer deliverer,
            Clock clock,
            WorkerSettings settings,
            short replicationFactor,
            Duration retryRetention,
            GistWriter gistWriter) {
        this.view = view;
        this.names = names;
        this.consumers = consumers;
        this.admins = admins;
        this.executor = executor;
        this.deliverer = deliverer;
        this.clock = clock;
        this.settings = settings;
        this.replicationFactor = replicationFactor;
        this.retryRetention = retryRetention;
        this.gistWriter = gistWriter;
    }

    @Override
    public synchronized void start() {
        running = true;
        starter = new Thread(this::startWhenCaughtUp, "amebo-delivery-start");
        starter.setDaemon(true);
        starter.start();
    }

    private void startWhenCaughtUp() {
        try {
            while (running && !view.awaitCaughtUp(CATCH_UP_LOG_EVERY)) {
                log.info("Delivery waits for the registry view to catch up with the changelog");
            }
            List<String> retryTopics =
                    RetryTiers.TIERS.stream().map(names::retryTopic).toList();
            while (running && !ensureTopics(retryTopics)) {
                Thread.sleep(TOPICS_RETRY.toMillis());
            }
            synchronized (this) {
                if (!running) {
                    return;
                }
                gistWriter.start();
                retries = new RetryWorker(
                        retryTopics, () -> consumers.apply(names.prefix() + ".retry"), view, executor, clock, settings);
                retries.start();
                view.addListener((kind, name, previous, current) -> {
                    if (kind == RegistryKeys.Kind.SUBSCRIPTION) {
                        reconcile(name, Optional.ofNullable((SubscriptionState) current));
                    }
                });
                view.subscriptions().forEach(s -> reconcile(s.subscription(), Optional.of(s)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Brings one subscription's worker in line with its registry state. */
    private synchronized void reconcile(String name, Optional<SubscriptionState> state) {
        if (!running) {
            return;
        }
        SubscriptionWorker worker = workers.get(name);
        boolean wanted = state.map(SubscriptionState::isActive).orElse(false);
        if (worker != null && (!wanted || !sameWorker(worker.subscription(), state.get()))) {
            workers.remove(name);
            stopping.execute(worker::stop); // it drains for a grace period; the view's thread must not wait
            log.info("Stopped delivery for subscription {}", name);
            worker = null;
        }
        if (!wanted) {
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
                executor,
                deliverer.breaker(name),
                clock,
                settings);
        workers.put(name, started);
        executor.registerMeters(name);
        started.start();
        log.info("Started delivery for subscription {} of {}", name, subscription.action());
    }

    /** Whether a worker started for {@code running} can go on delivering {@code next}. */
    private static boolean sameWorker(SubscriptionState running, SubscriptionState next) {
        return running.identity().equals(next.identity())
                && running.action().equals(next.action())
                && running.ordered() == next.ordered();
    }

    /** Creates the retry and dead-letter topics that are missing; false if Kafka could not be asked. */
    private boolean ensureTopics(List<String> retryTopics) {
        try (Admin admin = admins.get()) {
            List<NewTopic> wanted = new ArrayList<>();
            // explicit retention: a record waits on a tier for at most the longest tier, far below it
            Map<String, String> retryConfig =
                    Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retryRetention.toMillis()));
            retryTopics.forEach(
                    t -> wanted.add(new NewTopic(t, RETRY_PARTITIONS, replicationFactor).configs(retryConfig)));
            wanted.add(new NewTopic(names.deadLetterTopic(), RETRY_PARTITIONS, replicationFactor));
            // the gist journal: the latest record per delivery is kept (compacted), and none for longer than needed
            wanted.add(new NewTopic(names.gistTopic(), RETRY_PARTITIONS, replicationFactor)
                    .configs(Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG,
                            TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG,
                            Long.toString(retryRetention.toMillis()))));
            boolean ok = true;
            for (var entry : admin.createTopics(wanted).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        log.warn(
                                "Could not create topic {}: {}",
                                entry.getKey(),
                                e.getCause().toString());
                        ok = false;
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    log.warn("Creating topic {} timed out", entry.getKey());
                    ok = false;
                }
            }
            return ok;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            log.warn("Could not create the retry topics yet: {}", e.toString());
            return false;
        }
    }

    /** Subscriptions being delivered right now. */
    public Set<String> active() {
        return Set.copyOf(workers.keySet());
    }

    @Override
    public void stop() {
        Thread start;
        synchronized (this) {
            running = false;
            start = starter;
        }
        if (start != null) {
            start.interrupt();
        }
        List<ConsumerLoop> all = new ArrayList<>(workers.values());
        workers.clear();
        if (retries != null) {
            all.add(retries);
        }
        all.add(gistWriter);
        // every worker drains and leaves its group at the same time: a stop takes one grace period, not one each
        List<Future<?>> stops = all.stream().map(w -> stopping.submit(w::stop)).collect(Collectors.toList());
        for (Future<?> stop : stops) {
            try {
                stop.get();
            } catch (ExecutionException e) {
                log.warn("A delivery worker failed to stop cleanly", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopping.shutdown();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the registry view and the delivery log, which must be running before workers use them. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 2000;
    }
}
