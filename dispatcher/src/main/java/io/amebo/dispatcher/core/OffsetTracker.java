package io.amebo.dispatcher.core;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Tracks one partition's records between poll and completion, so that offsets are committed only up to the highest
 * contiguous completed offset (DESIGN §5, Ordering): deliveries complete out of order, and committing past a
 * record still in flight would lose it on a restart. Thread-safe; completions arrive on HTTP threads.
 */
public final class OffsetTracker {

    private final TreeSet<Long> pending = new TreeSet<>();
    private long next = -1; // one past the highest offset seen
    private long committed = -1;

    /** A record was handed out for delivery. Offsets are added in increasing order, as a consumer polls them. */
    public synchronized void started(long offset) {
        pending.add(offset);
        next = Math.max(next, offset + 1);
    }

    /** The record is done with: delivered, dead, or handed to a retry topic. */
    public synchronized void completed(long offset) {
        pending.remove(offset);
    }

    /**
     * The offset to commit now (the next offset to consume), if it moved since the last call: the lowest offset
     * still pending, or one past the highest seen when nothing is pending.
     */
    public synchronized OptionalLong committable() {
        if (next < 0) {
            return OptionalLong.empty();
        }
        long position = pending.isEmpty() ? next : pending.first();
        if (position <= committed) {
            return OptionalLong.empty();
        }
        committed = position;
        return OptionalLong.of(position);
    }

    public synchronized int inFlight() {
        return pending.size();
    }
}
