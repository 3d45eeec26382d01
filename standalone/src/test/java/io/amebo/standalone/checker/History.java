package io.amebo.standalone.checker;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the checker did and what the system acknowledged, as it happened: the events the gateway acknowledged, the
 * subscriptions created (and deleted) under each name, and the faults injected. Thread-safe; filled while the run
 * goes, read by the checks once it is over.
 */
final class History {

    /** An event the gateway acknowledged (2xx): where it lives and when the broker appended it. */
    record Event(
            String id, String action, int partition, long offset, String key, long appendedAtMs, Instant notBefore) {

        /** The unit of ordering in ordered mode: the key, or the whole partition for keyless events. */
        String orderKey() {
            return partition + "/" + (key == null ? "(partition)" : "k:" + key);
        }
    }

    /**
     * One subscription: created under a slot's name, live until deleted (a later subscription may take the name).
     * Its handler path is its own, so every request says which subscription it was made for.
     */
    static final class Subscription {
        final int slot;
        final int generation;
        final String name;
        final String action;
        final boolean ordered;
        final int maxRetries;
        final Integer rateLimit;
        final String path;
        volatile String identity;
        volatile Instant createdAt;
        volatile long deletedAtMs = -1;

        Subscription(
                int slot,
                int generation,
                String name,
                String action,
                boolean ordered,
                int maxRetries,
                Integer rateLimit,
                String path) {
            this.slot = slot;
            this.generation = generation;
            this.name = name;
            this.action = action;
            this.ordered = ordered;
            this.maxRetries = maxRetries;
            this.rateLimit = rateLimit;
            this.path = path;
        }

        boolean live() {
            return deletedAtMs < 0;
        }

        /**
         * Whether the event is this subscription's to deliver: an event of its action appended at or after its
         * creation time (the dispatcher starts a new subscription by timestamp, at millisecond precision).
         */
        boolean covers(Event event) {
            return event.action().equals(action) && event.appendedAtMs() >= createdAt.toEpochMilli();
        }

        @Override
        public String toString() {
            return name + "#" + generation;
        }
    }

    /** A fault, from when it was injected to when it was undone ({@code endMs} -1 for one that is instantaneous). */
    record Fault(String kind, String target, long startMs, long endMs) {}

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Map<String, Subscription> byPath = new ConcurrentHashMap<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Long> restarts = new CopyOnWriteArrayList<>();
    private volatile long startedAtMs = System.currentTimeMillis();

    void published(Event event) {
        events.add(event);
    }

    void created(Subscription subscription) {
        subscriptions.add(subscription);
        byPath.put(subscription.path, subscription);
    }

    void fault(Fault fault) {
        faults.add(fault);
    }

    /**
     * A moment some subscription's delivery restarted from its committed offsets (a dispatcher stopped, started or
     * was killed; a subscription was paused or resumed): duplicates are expected around these.
     */
    void restart(long atMs) {
        restarts.add(atMs);
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    List<Subscription> subscriptions() {
        return List.copyOf(subscriptions);
    }

    List<Subscription> live() {
        return subscriptions.stream().filter(Subscription::live).toList();
    }

    Optional<Subscription> byPath(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    List<Fault> faults() {
        return new ArrayList<>(faults);
    }

    List<Long> restarts() {
        return List.copyOf(restarts);
    }

    /** The workload starts: times in reports are given from here, as in the fault plan. */
    void begin(long atMs) {
        startedAtMs = atMs;
    }

    /** When the workload started: times in reports are given from here. */
    long startedAtMs() {
        return startedAtMs;
    }
}
