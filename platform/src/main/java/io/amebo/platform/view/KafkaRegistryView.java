package io.amebo.platform.view;

import io.amebo.contract.registry.ActionState;
import io.amebo.contract.registry.ApplicationState;
import io.amebo.contract.registry.RegistryKeys;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.platform.kafka.ConsumerLoop;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link RegistryView} over Kafka: one thread waits for the changelog topic to exist, then reads its single
 * partition from the beginning with a group-less consumer (manual assignment, nothing committed), applies each
 * record to concurrent maps and then tells the listeners. A record it cannot parse is logged and skipped: one bad
 * value must not stop every service from learning about the rest. If the consumer fails, the thread starts over
 * from the beginning after a pause, which is safe because applying the changelog is idempotent.
 */
public final class KafkaRegistryView extends ConsumerLoop implements RegistryView, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KafkaRegistryView.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration RESTART_PAUSE = Duration.ofSeconds(2);
    /** A registry that starts beside this view creates the topic within moments: only a longer wait is news. */
    private static final Duration TOPIC_WAIT_TOLD_AFTER = Duration.ofSeconds(10);

    private final String topic;
    private final JsonMapper json;
    private final Map<String, ApplicationState> applications = new ConcurrentHashMap<>();
    private final Map<String, ActionState> actions = new ConcurrentHashMap<>();
    private final Map<String, SubscriptionState> subscriptions = new ConcurrentHashMap<>();
    private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);

    public KafkaRegistryView(Supplier<Consumer<String, byte[]>> consumers, String topic, JsonMapper json) {
        super("amebo-registry-view", consumers, RESTART_PAUSE);
        this.topic = topic;
        this.json = json;
    }

    @Override
    public Optional<ApplicationState> application(String name) {
        return Optional.ofNullable(applications.get(name));
    }

    @Override
    public Optional<ActionState> action(String name) {
        return Optional.ofNullable(actions.get(name));
    }

    @Override
    public Collection<ActionState> actions() {
        return List.copyOf(actions.values());
    }

    @Override
    public Optional<SubscriptionState> subscription(String name) {
        return Optional.ofNullable(subscriptions.get(name));
    }

    @Override
    public Collection<SubscriptionState> subscriptions() {
        return List.copyOf(subscriptions.values());
    }

    @Override
    public List<SubscriptionState> subscriptionsOf(String action) {
        return subscriptions.values().stream()
                .filter(s -> s.action().equals(action))
                .toList();
    }

    @Override
    public void addListener(RegistryListener listener) {
        listeners.add(listener);
    }

    @Override
    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    @Override
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void start() {
        super.start();
    }

    @Override
    public void stop() {
        super.stop();
    }

    @Override
    public boolean isRunning() {
        return super.isRunning();
    }

    /** Starts before the web server and the delivery containers, so they begin with a filled view. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }

    @Override
    protected void follow(Consumer<String, byte[]> c) {
        if (!awaitTopic(c)) {
            return; // stopped meanwhile
        }
        TopicPartition partition = new TopicPartition(topic, 0);
        c.assign(List.of(partition));
        c.seekToBeginning(List.of(partition));
        long end = c.endOffsets(List.of(partition)).getOrDefault(partition, 0L);
        if (end == 0) {
            caughtUp.countDown();
        }
        while (running()) {
            for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
                apply(record);
                if (record.offset() + 1 >= end) {
                    caughtUp.countDown();
                }
            }
            if (!isCaughtUp() && c.position(partition) >= end) {
                caughtUp.countDown();
            }
        }
    }

    /**
     * Waits until the changelog topic exists; false if stopped meanwhile. The registry creates it when it first
     * starts, which may be after this service, or a moment after this view in the standalone. A consumer assigned
     * to a topic that does not exist yet keeps asking for its metadata and logs an UNKNOWN_TOPIC_OR_PARTITION
     * warning each time; asking whether it exists ({@code partitionsFor}, empty while it does not) logs nothing.
     */
    private boolean awaitTopic(Consumer<String, byte[]> c) {
        long since = System.nanoTime();
        boolean told = false;
        while (running()) {
            if (!c.partitionsFor(topic).isEmpty()) {
                return true;
            }
            if (!told && System.nanoTime() - since >= TOPIC_WAIT_TOLD_AFTER.toNanos()) {
                log.info("Still waiting for the registry to create its changelog topic {}", topic);
                told = true;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    void apply(ConsumerRecord<String, byte[]> record) {
        Optional<RegistryKeys.Key> key = RegistryKeys.parse(record.key());
        if (key.isEmpty()) {
            log.warn("Skipping registry record with unknown key {} at offset {}", record.key(), record.offset());
            return;
        }
        String name = key.get().name();
        byte[] value = record.value();
        try {
            Object previous = switch (key.get().kind()) {
                case APPLICATION -> put(applications, name, value, ApplicationState.class);
                case ACTION -> put(actions, name, value, ActionState.class);
                case SUBSCRIPTION -> put(subscriptions, name, value, SubscriptionState.class);
            };
            Object current = switch (key.get().kind()) {
                case APPLICATION -> applications.get(name);
                case ACTION -> actions.get(name);
                case SUBSCRIPTION -> subscriptions.get(name);
            };
            for (RegistryListener listener : listeners) {
                notify(listener, key.get().kind(), name, previous, current);
            }
        } catch (JacksonException e) {
            log.warn("Skipping unreadable registry record {} at offset {}", record.key(), record.offset(), e);
        }
    }

    private <T> T put(Map<String, T> map, String name, byte[] value, Class<T> type) {
        return value == null ? map.remove(name) : map.put(name, json.readValue(value, type));
    }

    private static void notify(
            RegistryListener listener, RegistryKeys.Kind kind, String name, Object previous, Object current) {
        try {
            listener.onChange(kind, name, previous, current);
        } catch (RuntimeException e) {
            log.error("Registry listener {} failed on {} {}", listener, kind, name, e);
        }
    }
}
