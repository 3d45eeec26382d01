package io.amebo.dispatcher.core;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Tracks one partition's records between poll and completion, so that offsets are committed only up to the highest
 * contiguous completed offset (DESIGN §5, Ordering): deliveries complete out of order, and committing past a
 * record still in flight would lose it on a restart. The committed mark moves only when a commit succeeded
 * ({@link #committed}), so a failed commit is tried again. Not thread-safe: one consumer thread owns it.
 */
public final class OffsetTracker {

    private final TreeSet<Long> pending = new TreeSet<>();
    private long next = -1; // one past the highest offset seen
    private long committed = -1;

    /** A record was handed out for delivery. Offsets are added in increasing order, as a consumer polls them. */
    public void started(long offset) {
        pending.add(offset);
        next = Math.max(next, offset + 1);
    }

    /** The record is done with: delivered, dead, or handed to a retry topic. */
    public void completed(long offset) {
        pending.remove(offset);
    }

    /**
     * The offset to commit (the next offset to consume), if it is ahead of the last successful commit: the lowest
     * offset still pending, or one past the highest seen when nothing is pending.
     */
    public OptionalLong uncommitted() {
        OptionalLong position = position();
        return position.isPresent() && position.getAsLong() > committed ? position : OptionalLong.empty();
    }

    /** Where consumption would resume if it started over: the lowest pending offset, or one past the highest seen. */
    public OptionalLong position() {
        if (next < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(pending.isEmpty() ? next : pending.first());
    }

    /** A commit of {@code position} succeeded. */
    public void committed(long position) {
        committed = Math.max(committed, position);
    }

    /** Records started and not completed. */
    public int pending() {
        return pending.size();
    }
}
