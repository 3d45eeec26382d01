package io.amebo.dispatcher.kafka;

import io.amebo.dispatcher.core.OffsetTracker;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import reactor.core.Disposable;

/**
 * Everything a worker holds for one assigned partition: its offset tracker, the records polled but not started
 * (backlog), in ordered mode the records waiting behind their key, and the deliveries in flight. Created when the
 * partition is assigned and dropped whole when it is revoked or the consumer session ends, cancelling what is in
 * flight; a completion that arrives for a dropped context is ignored, so nothing from a revoked partition or an old
 * session touches the state of the next. Owned by the worker's consumer thread; not thread-safe.
 */
final class PartitionContext {

    final TopicPartition partition;
    final OffsetTracker offsets = new OffsetTracker();
    private final ArrayDeque<ConsumerRecord<String, byte[]>> backlog = new ArrayDeque<>();
    private final Map<String, ArrayDeque<ConsumerRecord<String, byte[]>>> waiting = new HashMap<>();
    private final Set<String> busyKeys = new HashSet<>();
    private final Map<Long, Disposable> inFlight = new HashMap<>();
    private int queued;

    /** Live delivery: whether the partition's starting position has been settled (it is paused until then). */
    boolean positioned = true;

    /**
     * Live delivery of a partition positioned by the subscription's creation time: records older than this (epoch
     * ms) are not the subscription's, until the first that is not older.
     */
    long skipBefore = Long.MIN_VALUE;

    /** Retry worker: the partition's head is not due before this (epoch ms); it is paused until then. */
    long heldUntil;

    /** Replay: one past the last offset of its window in this partition, and whether the consumer got there. */
    long end = Long.MAX_VALUE;

    boolean atEnd;

    PartitionContext(TopicPartition partition) {
        this.partition = partition;
    }

    boolean hasBacklog() {
        return !backlog.isEmpty();
    }

    void toBacklog(ConsumerRecord<String, byte[]> record) {
        backlog.add(record);
    }

    ConsumerRecord<String, byte[]> nextFromBacklog() {
        return backlog.poll();
    }

    /** Ordered mode: takes {@code key} for {@code record}, or queues the record behind the key's current one. */
    boolean claim(String key, ConsumerRecord<String, byte[]> record) {
        if (busyKeys.add(key)) {
            return true;
        }
        waiting.computeIfAbsent(key, k -> new ArrayDeque<>()).add(record);
        queued++;
        return false;
    }

    /** Ordered mode: the key's next waiting record, which keeps the key; or null, and the key is free. */
    ConsumerRecord<String, byte[]> release(String key) {
        ArrayDeque<ConsumerRecord<String, byte[]>> queue = waiting.get(key);
        ConsumerRecord<String, byte[]> next = queue == null ? null : queue.poll();
        if (next == null) {
            waiting.remove(key);
            busyKeys.remove(key);
        } else {
            queued--;
        }
        return next;
    }

    /** Records waiting behind a busy key. */
    int queued() {
        return queued;
    }

    void started(long offset, Disposable delivery) {
        inFlight.put(offset, delivery);
    }

    /** A delivery of this context settled; false if it was not in flight here (already cancelled). */
    boolean settled(long offset) {
        return inFlight.remove(offset) != null;
    }

    int inFlight() {
        return inFlight.size();
    }

    /** Drops the partition: what is in flight is cancelled, and whoever consumes it next delivers it again. */
    void cancel() {
        inFlight.values().forEach(Disposable::dispose);
        inFlight.clear();
        backlog.clear();
        waiting.clear();
        busyKeys.clear();
        queued = 0;
    }
}
