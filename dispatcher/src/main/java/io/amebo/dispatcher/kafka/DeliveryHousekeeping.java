package io.amebo.dispatcher.kafka;

import io.amebo.contract.KafkaNames;
import io.amebo.dispatcher.delivery.Deliverer;
import io.amebo.dispatcher.delivery.DeliveryExecutor;
import io.amebo.dispatcher.store.GistLog;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * What runs beside delivery, on one background thread: pausing a subscription whose handler has failed (breaker
 * not closed) for longer than the grace period, with the reason, in the registry (DESIGN §5); per-subscription
 * gauges of breaker state and consumer-group lag, read from Kafka the way ops tools read it; and pruning the
 * delivery log past its retention.
 */
public final class DeliveryHousekeeping implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryHousekeeping.class);
    private static final Duration EVERY = Duration.ofSeconds(5);

    private final DeliverySupervisor supervisor;
    private final Deliverer deliverer;
    private final DeliveryExecutor deliveries;
    private final GistLog gists;
    private final KafkaNames names;
    private final Supplier<Admin> admins;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Duration pauseAfter;
    private final Duration gistRetention;
    private final Map<String, Instant> failingSince = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> lags = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService executor;
    private volatile Instant lastPrune = Instant.EPOCH;
    private volatile Admin admin;

    public DeliveryHousekeeping(
            DeliverySupervisor supervisor,
            Deliverer deliverer,
            DeliveryExecutor deliveries,
            GistLog gists,
            KafkaNames names,
            Supplier<Admin> admins,
            MeterRegistry meters,
            Clock clock,
            Duration pauseAfter,
            Duration gistRetention) {
        this.supervisor = supervisor;
        this.deliverer = deliverer;
        this.deliveries = deliveries;
        this.gists = gists;
        this.names = names;
        this.admins = admins;
        this.meters = meters;
        this.clock = clock;
        this.pauseAfter = pauseAfter;
        this.gistRetention = gistRetention;
    }

    void tick(Admin admin) {
        Instant now = clock.instant();
        for (String subscription : supervisor.active()) {
            CircuitBreaker breaker = deliverer.breaker(subscription);
            Gauge.builder("amebo.subscription.breaker", breaker, b -> stateValue(b.getState()))
                    .description("0 closed, 1 open, 2 half open")
                    .tag("subscription", subscription)
                    .register(meters);
            watchFailures(subscription, breaker, now);
            lag(admin, subscription);
        }
        if (now.isAfter(lastPrune.plus(Duration.ofHours(1)))) {
            lastPrune = now;
            gists.prune(now.minus(gistRetention))
                    .subscribe(n -> {}, e -> log.debug("Pruning gists failed: {}", e.toString()));
        }
    }

    private void watchFailures(String subscription, CircuitBreaker breaker, Instant now) {
        if (breaker.getState() == CircuitBreaker.State.CLOSED) {
            failingSince.remove(subscription);
            return;
        }
        Instant since = failingSince.computeIfAbsent(subscription, s -> now);
        if (since.plus(pauseAfter).isBefore(now)) {
            failingSince.remove(subscription);
            String reason =
                    "the handler has been failing since " + since + "; resume the subscription once it is fixed";
            deliveries
                    .pause(subscription, reason)
                    .subscribe(
                            v -> {}, e -> log.warn("Could not pause subscription {}: {}", subscription, e.toString()));
            log.warn("Pausing subscription {}: {}", subscription, reason);
        }
    }

    private void lag(Admin admin, String subscription) {
        AtomicLong lag = lags.computeIfAbsent(subscription, s -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("amebo.subscription.lag", value, AtomicLong::get)
                    .description("events appended but not yet delivered (the consumer group's lag)")
                    .tag("subscription", s)
                    .register(meters);
            return value;
        });
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                            names.liveGroup(subscription))
                    .partitionsToOffsetAndMetadata()
                    .get(EVERY.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(p -> latest.put(p, OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(EVERY.toMillis(), TimeUnit.MILLISECONDS);
            long total = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
                if (entry.getValue() != null && ends.containsKey(entry.getKey())) {
                    total += Math.max(
                            0,
                            ends.get(entry.getKey()).offset() - entry.getValue().offset());
                }
            }
            lag.set(total);
        } catch (Exception e) {
            log.debug("Could not read the lag of {}: {}", subscription, e.toString());
        }
    }

    private static int stateValue(CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 2;
            default -> 1;
        };
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "amebo-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        Admin admin = admins.get();
        executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        tick(admin);
                    } catch (RuntimeException e) {
                        log.warn("Delivery housekeeping failed; it runs again in {}", EVERY, e);
                    }
                },
                EVERY.toMillis(),
                EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        this.admin = admin;
    }

    @Override
    public void stop() {
        if (executor != null) {
            executor.shutdownNow();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null && !executor.isShutdown();
    }
}
