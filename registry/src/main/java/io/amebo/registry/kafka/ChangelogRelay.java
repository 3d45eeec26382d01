package io.amebo.registry.kafka;

import io.amebo.contract.registry.RegistryKeys;
import io.amebo.registry.store.RegistryRepository;
import io.amebo.registry.store.RegistryRepository.OutboxEntry;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes the registry's outbox to the compacted changelog (DESIGN §2): for each changed key, the entity's
 * current state as JSON, or a tombstone when it is gone; the outbox rows go only after the broker acked every
 * record. It runs on every local change and on a short interval, and drains at startup, so a change committed
 * just before the registry died is published when it comes back. A PostgreSQL advisory lock keeps two registry
 * instances from publishing interleaved states of one key. The relay owns its template's producer and closes it
 * when it stops.
 */
public final class ChangelogRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ChangelogRelay.class);
    private static final int BATCH = 500;

    private final RegistryRepository repository;
    private final TransactionalOperator transactions;
    private final KafkaTemplate<String, byte[]> kafka;
    private final KafkaTopicAdmin topics;
    private final String topic;
    private final JsonMapper json;
    private final Duration interval;
    private final Sinks.Many<Boolean> wakeups = Sinks.many().multicast().directBestEffort();
    private volatile Disposable loop;
    private volatile boolean topicReady;

    public ChangelogRelay(
            RegistryRepository repository,
            TransactionalOperator transactions,
            KafkaTemplate<String, byte[]> kafka,
            KafkaTopicAdmin topics,
            String topic,
            JsonMapper json,
            Duration interval) {
        this.repository = repository;
        this.transactions = transactions;
        this.kafka = kafka;
        this.topics = topics;
        this.topic = topic;
        this.json = json;
        this.interval = interval;
    }

    /** Asks for a drain soon (after a local commit). Never blocks. */
    public void wakeUp() {
        wakeups.tryEmitNext(Boolean.TRUE);
    }

    /** Publishes everything pending; completes with how many keys were published. */
    public Mono<Integer> drain() {
        return ensureTopic()
                .then(transactions.transactional(repository.tryRelayLock().flatMap(this::drainLocked)));
    }

    private Mono<Integer> drainLocked(boolean locked) {
        if (!locked) {
            return Mono.just(0); // another registry instance is publishing
        }
        return repository.pendingChanges(BATCH).collectList().flatMap(this::publish);
    }

    private Mono<Integer> publish(List<OutboxEntry> entries) {
        if (entries.isEmpty()) {
            return Mono.just(0);
        }
        Set<String> keys = new LinkedHashSet<>();
        entries.forEach(e -> keys.add(e.key()));
        long upTo = entries.get(entries.size() - 1).id();
        return Flux.fromIterable(keys)
                .concatMap(this::send)
                .then(repository.forgetChangesUpTo(upTo))
                .thenReturn(keys.size());
    }

    private Mono<Void> send(String key) {
        return currentState(key)
                .map(value -> new ProducerRecord<>(topic, key, value.orElse(null)))
                // send() may block for metadata (up to max.block.ms) right after the topic appeared: never on an event
                // loop
                .flatMap(record -> Mono.fromFuture(() -> kafka.send(record)).subscribeOn(Schedulers.boundedElastic()))
                .then();
    }

    private Mono<Optional<byte[]>> currentState(String key) {
        RegistryKeys.Key parsed = RegistryKeys.parse(key)
                .orElseThrow(() -> new IllegalStateException("outbox holds a key that is not a registry key: " + key));
        Mono<?> state = switch (parsed.kind()) {
            case APPLICATION -> repository.findApplication(parsed.name());
            case ACTION -> repository.findAction(parsed.name());
            case SUBSCRIPTION -> repository.findSubscription(parsed.name());
        };
        return state.map(s -> Optional.of(json.writeValueAsBytes(s))).defaultIfEmpty(Optional.empty());
    }

    private Mono<Void> ensureTopic() {
        return topicReady ? Mono.empty() : topics.ensureChangelogTopic(topic).doOnSuccess(v -> topicReady = true);
    }

    @Override
    public void start() {
        loop = Flux.merge(Flux.interval(Duration.ZERO, interval).map(tick -> true), wakeups.asFlux())
                .onBackpressureLatest()
                .concatMap(tick -> drain().onErrorResume(this::logFailure), 1)
                .subscribe();
    }

    private Mono<Integer> logFailure(Throwable failure) {
        log.warn("Could not publish registry changes to {} yet; will retry: {}", topic, failure.toString());
        return Mono.just(0);
    }

    @Override
    public void stop() {
        Disposable current = loop;
        if (current != null) {
            current.dispose();
        }
        kafka.getProducerFactory().reset(); // the relay's own producer: closed with it, not left reconnecting
    }

    @Override
    public boolean isRunning() {
        return loop != null && !loop.isDisposed();
    }
}
