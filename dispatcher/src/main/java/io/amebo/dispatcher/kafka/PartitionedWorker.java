package io.amebo.dispatcher.kafka;

import io.amebo.dispatcher.delivery.DeliveryExecutor.Settled;
import io.amebo.platform.kafka.ConsumerLoop;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The delivery runtime shared by live delivery, replays and the retry worker (the shape of Knative's ordered
 * consumer and decaton's partition contexts): one consumer thread that never blocks beyond a short poll, one
 * {@link PartitionContext} per assigned partition, deliveries running asynchronously, and back-pressure by pausing
 * partitions rather than by blocking.
 *
 * <pre>
 *   assign ─▶ new context (paused until {@link #prepare} settles its position)
 *   poll ─▶ {@link #accept}: hold, skip, or admit ─▶ in-flight slot free? ─yes─▶ start ─▶ (async) settle ─┐
 *                                                     │no                                                  │
 *                                                     └▶ backlog, partition paused                         │
 *   completion queue ◀──────────────────────── wakes the poll ◀─────────────────────────────────────────┘
 *     └▶ fenced by context ─▶ offset completed ─▶ key's next record / backlog ─▶ commit (async, throttled)
 *   revoke ─▶ commit (sync) ─▶ cancel in flight ─▶ drop context      stop ─▶ drain (grace) ─▶ commit (sync)
 * </pre>
 *
 * A partition is paused while its context has a backlog or too many records waiting behind busy keys, while the
 * worker is at its in-flight limit, and whenever a subclass says it may not fetch (breaker open, head not due).
 */
abstract class PartitionedWorker extends ConsumerLoop {

    private static final Logger log = LoggerFactory.getLogger(PartitionedWorker.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration DRAIN_POLL = Duration.ofMillis(50);

    protected final Map<TopicPartition, PartitionContext> contexts = new HashMap<>();
    private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean polling = new AtomicBoolean();
    private final int maxInFlight;
    private final Duration shutdownGrace;
    private volatile Consumer<String, byte[]> consumer;
    private int inFlight;

    /** A delivery that settled, reported from whichever thread it settled on. */
    private record Completion(PartitionContext context, ConsumerRecord<String, byte[]> record, Settled settled) {}

    protected PartitionedWorker(
            String threadName, Supplier<Consumer<String, byte[]>> consumers, int maxInFlight, Duration shutdownGrace) {
        super(threadName, consumers, Duration.ofSeconds(1));
        this.maxInFlight = maxInFlight;
        this.shutdownGrace = shutdownGrace;
    }

    /** Subscribes or assigns, with {@code rebalance} as the rebalance listener where there is a group. */
    protected abstract void begin(Consumer<String, byte[]> consumer, ConsumerRebalanceListener rebalance);

    /** Settles the position of contexts that need one; may block briefly, and is simply called again on failure. */
    protected void prepare(Consumer<String, byte[]> consumer) {}

    /**
     * Takes one polled record: {@link #admit} it, or complete it at once, or hold its partition. Returns false to
     * skip the rest of this partition's records in this poll (they come again after a seek).
     */
    protected abstract boolean accept(
            Consumer<String, byte[]> consumer, PartitionContext context, ConsumerRecord<String, byte[]> record);

    /** Delivers one record until it is settled; never errors (an error is logged and the record started again). */
    protected abstract Mono<Settled> deliver(PartitionContext context, ConsumerRecord<String, byte[]> record);

    /** The ordering key of a record (one delivery in flight per key), or null when unordered. */
    protected String orderKey(ConsumerRecord<String, byte[]> record) {
        return null;
    }

    /** Whether the partition may fetch more now (the breaker is not open, its head is due). */
    protected boolean mayFetch(PartitionContext context, long nowMillis) {
        return true;
    }

    /** Called on the consumer thread for every record that settled in a live context. */
    protected void onSettled(PartitionContext context, ConsumerRecord<String, byte[]> record, Settled settled) {}

    /** Commits made for this worker; null for none (replays). */
    protected abstract CommitControl commits();

    /** Whether the worker has nothing more to do (a replay at the end of its window). */
    protected boolean finished(Consumer<String, byte[]> consumer) {
        return false;
    }

    /** How long the next poll may wait. */
    protected Duration pollTimeout(long nowMillis) {
        return POLL;
    }

    @Override
    protected final void follow(Consumer<String, byte[]> c) {
        consumer = c;
        begin(c, new Rebalance(c));
        while (running()) {
            try {
                if (finished(c)) {
                    finish();
                    break;
                }
                step(c);
            } catch (WakeupException e) {
                // a settled delivery woke the poll up, or the worker is stopping: the loop's condition decides
            }
        }
        drain(c);
    }

    private void step(Consumer<String, byte[]> c) {
        applyCompletions();
        prepare(c);
        startBacklogs();
        flowControl(c);
        ConsumerRecords<String, byte[]> records = poll(c);
        for (TopicPartition partition : records.partitions()) {
            PartitionContext context = contexts.get(partition);
            if (context == null) {
                continue; // revoked meanwhile
            }
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                if (!accept(c, context, record)) {
                    break;
                }
            }
        }
        CommitControl commits = commits();
        if (commits != null) {
            commits.commitAsync(c, contexts.values());
        }
    }

    /** Takes a record into its partition's care: started now if a slot is free, else kept in the backlog. */
    protected final void admit(PartitionContext context, ConsumerRecord<String, byte[]> record) {
        context.offsets.started(record.offset());
        if (context.hasBacklog() || inFlight >= maxInFlight) {
            context.toBacklog(record);
            return;
        }
        dispatch(context, record);
    }

    /** A record that needs no delivery (not its subscription's, unreadable): done at once. */
    protected final void skip(PartitionContext context, ConsumerRecord<String, byte[]> record) {
        context.offsets.started(record.offset());
        context.offsets.completed(record.offset());
    }

    private void dispatch(PartitionContext context, ConsumerRecord<String, byte[]> record) {
        String key = orderKey(record);
        if (key != null && !context.claim(key, record)) {
            return; // waits behind the key's current record
        }
        start(context, record);
    }

    private void start(PartitionContext context, ConsumerRecord<String, byte[]> record) {
        inFlight++;
        Disposable delivery = Mono.defer(() -> deliver(context, record))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1))
                        .maxBackoff(Duration.ofSeconds(30))
                        .doBeforeRetry(signal -> log.error(
                                "{}: delivering {}-{}@{} failed unexpectedly; starting it again",
                                getClass().getSimpleName(),
                                record.topic(),
                                record.partition(),
                                record.offset(),
                                signal.failure())))
                .subscribe(settled -> settled(context, record, settled));
        context.started(record.offset(), delivery);
    }

    /** From any thread: queues the completion and wakes the consumer if it is waiting in poll. */
    private void settled(PartitionContext context, ConsumerRecord<String, byte[]> record, Settled settled) {
        completions.add(new Completion(context, record, settled));
        Consumer<String, byte[]> current = consumer;
        if (current != null && polling.compareAndSet(true, false)) {
            current.wakeup();
        }
    }

    /** Applies settled deliveries, on the consumer thread; those of dropped contexts are ignored. */
    protected final void applyCompletions() {
        Completion done;
        while ((done = completions.poll()) != null) {
            PartitionContext context = done.context();
            long offset = done.record().offset();
            if (contexts.get(context.partition) != context || !context.settled(offset)) {
                continue; // revoked, or from an earlier session: its next owner delivers it again
            }
            inFlight--;
            context.offsets.completed(offset);
            onSettled(context, done.record(), done.settled());
            String key = orderKey(done.record());
            ConsumerRecord<String, byte[]> next = key == null ? null : context.release(key);
            if (next != null) {
                start(context, next); // the key's next record takes the slot just freed
            }
        }
    }

    private void startBacklogs() {
        for (PartitionContext context : contexts.values()) {
            while (inFlight < maxInFlight && context.hasBacklog()) {
                dispatch(context, context.nextFromBacklog());
            }
        }
    }

    private void flowControl(Consumer<String, byte[]> c) {
        long now = System.currentTimeMillis();
        Set<TopicPartition> pause = new HashSet<>();
        Set<TopicPartition> resume = new HashSet<>();
        for (PartitionContext context : contexts.values()) {
            boolean fetch = context.positioned
                    && inFlight < maxInFlight
                    && !context.hasBacklog()
                    && context.queued() < maxInFlight
                    && mayFetch(context, now);
            (fetch ? resume : pause).add(context.partition);
        }
        Set<TopicPartition> paused = c.paused();
        pause.removeAll(paused);
        resume.retainAll(paused);
        if (!pause.isEmpty()) {
            c.pause(pause);
        }
        if (!resume.isEmpty()) {
            c.resume(resume);
        }
    }

    /** Polls without waiting while completions are queued (they are applied next), else until one wakes it. */
    private ConsumerRecords<String, byte[]> poll(Consumer<String, byte[]> c) {
        polling.set(true);
        try {
            // re-checked after raising the flag: a completion queued just before it would not wake the poll
            Duration timeout = completions.isEmpty() ? pollTimeout(System.currentTimeMillis()) : Duration.ZERO;
            return c.poll(timeout);
        } finally {
            polling.set(false);
        }
    }

    /** Stopping: fetch nothing more, let what is in flight settle for a grace period, commit, cancel the rest. */
    private void drain(Consumer<String, byte[]> c) {
        c.pause(c.assignment());
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        while (inFlight > 0 && System.nanoTime() < deadline) {
            applyCompletions();
            try {
                polling.set(true);
                c.poll(DRAIN_POLL); // keeps the group membership alive; every partition is paused
            } catch (WakeupException e) {
                // a delivery settled
            } finally {
                polling.set(false);
            }
        }
        applyCompletions();
        CommitControl commits = commits();
        if (commits != null) {
            commits.commitSync(c, contexts.values());
        }
        dropAll();
    }

    @Override
    protected void afterSession() {
        consumer = null;
        dropAll();
        completions.clear();
    }

    private void dropAll() {
        contexts.values().forEach(PartitionContext::cancel);
        contexts.clear();
        inFlight = 0;
    }

    /** Deliveries in flight, for tests and gauges (consumer thread). */
    protected final int inFlight() {
        return inFlight;
    }

    /** Creates contexts on assignment; commits and drops them on revocation. */
    private final class Rebalance implements ConsumerRebalanceListener {
        private final Consumer<String, byte[]> c;

        Rebalance(Consumer<String, byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                contexts.put(partition, newContext(partition));
            }
            c.pause(partitions); // until flow control (and the position) says otherwise
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            applyCompletions();
            CommitControl commits = commits();
            if (commits != null) {
                commits.commitSync(
                        c,
                        partitions.stream()
                                .map(contexts::get)
                                .filter(x -> x != null)
                                .toList());
            }
            drop(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(partitions); // another member owns them already: nothing may be committed
        }

        private void drop(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                PartitionContext context = contexts.remove(partition);
                if (context != null) {
                    inFlight -= context.inFlight();
                    context.cancel();
                }
            }
        }
    }

    /** A fresh context for a newly assigned partition. */
    protected PartitionContext newContext(TopicPartition partition) {
        return new PartitionContext(partition);
    }

    /** Starts contexts for manually assigned partitions (no group, no rebalance listener). */
    protected final void assigned(Consumer<String, byte[]> c, List<PartitionContext> assigned) {
        assigned.forEach(context -> contexts.put(context.partition, context));
    }
}
