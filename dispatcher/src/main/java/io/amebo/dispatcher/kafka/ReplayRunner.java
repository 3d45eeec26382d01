package io.amebo.dispatcher.kafka;

import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.delivery.DeliveryExecutor;
import io.amebo.platform.web.ProblemException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * Starts replays and keeps their progress, by subscription identity: a later subscription with the same name sees
 * none of an earlier one's replays (DESIGN §6.9). Each replay runs on a {@link ReplayWorker} of its own.
 */
public final class ReplayRunner {

    private final Supplier<Consumer<String, byte[]>> consumers;
    private final DeliveryExecutor executor;
    private final Clock clock;
    private final WorkerSettings settings;
    private final int maxRunning;
    private final int maxRunningPerSubscription;
    private final Map<String, Replay> replays = new ConcurrentHashMap<>();
    private final Map<String, ReplayWorker> workers = new ConcurrentHashMap<>();

    public ReplayRunner(
            Supplier<Consumer<String, byte[]>> consumers,
            DeliveryExecutor executor,
            Clock clock,
            WorkerSettings settings,
            int maxRunning,
            int maxRunningPerSubscription) {
        this.consumers = consumers;
        this.executor = executor;
        this.clock = clock;
        this.settings = settings;
        this.maxRunning = maxRunning;
        this.maxRunningPerSubscription = maxRunningPerSubscription;
    }

    /** Starts a replay, unless as many are running already as allowed, overall or for the subscription (429). */
    public synchronized Replay start(SubscriptionState subscription, String topic, Instant from, Instant to) {
        workers.values().removeIf(w -> !w.isRunning()); // finished ones
        long ofSubscription = workers.keySet().stream()
                .map(replays::get)
                .filter(r -> r != null && r.subscriptionId().equals(subscription.identity()))
                .count();
        if (workers.size() >= maxRunning || ofSubscription >= maxRunningPerSubscription) {
            throw ProblemException.tooManyRequests("as many replays are running as allowed ("
                    + (ofSubscription >= maxRunningPerSubscription
                            ? maxRunningPerSubscription + " per subscription"
                            : maxRunning + " in all")
                    + "); start this one when one of them is done");
        }
        Replay replay = new Replay(
                UUID.randomUUID().toString(), subscription.subscription(), subscription.identity(), from, to);
        replays.put(replay.id(), replay);
        ReplayWorker worker = new ReplayWorker(replay, subscription, topic, consumers, executor, clock, settings);
        workers.put(replay.id(), worker);
        worker.start();
        return replay;
    }

    /** Stops the replays still running (their progress is lost with the process). */
    public void close() {
        workers.values().parallelStream().forEach(ReplayWorker::stop);
        workers.clear();
    }

    public Optional<Replay> find(SubscriptionState subscription, String id) {
        return Optional.ofNullable(replays.get(id))
                .filter(r -> r.subscription().equals(subscription.subscription())
                        && r.subscriptionId().equals(subscription.identity()));
    }
}
