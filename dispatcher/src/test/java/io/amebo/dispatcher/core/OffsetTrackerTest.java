package io.amebo.dispatcher.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    @Test
    void commitsOnlyUpToTheHighestContiguousCompletedOffset() {
        OffsetTracker tracker = new OffsetTracker();
        for (long offset = 10; offset < 15; offset++) {
            tracker.started(offset);
        }

        tracker.completed(11);
        tracker.completed(12);
        assertThat(tracker.committable()).isEqualTo(OptionalLong.of(10)); // 10 is still in flight
        tracker.completed(10);
        assertThat(tracker.committable()).isEqualTo(OptionalLong.of(13));
        assertThat(tracker.committable()).isEmpty(); // nothing moved since
        tracker.completed(14);
        tracker.completed(13);
        assertThat(tracker.committable()).isEqualTo(OptionalLong.of(15));
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void neverCommitsPastARecordInFlightWhateverTheCompletionOrder() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        OffsetTracker tracker = new OffsetTracker();
        List<Long> offsets = new ArrayList<>();
        for (long offset = 0; offset < 500; offset++) {
            tracker.started(offset);
            offsets.add(offset);
        }
        Collections.shuffle(offsets, random);
        java.util.TreeSet<Long> pending = new java.util.TreeSet<>(offsets);
        for (long offset : offsets) {
            tracker.completed(offset);
            pending.remove(offset);
            OptionalLong committable = tracker.committable();
            long expected = pending.isEmpty() ? 500 : pending.first();
            committable.ifPresent(c -> assertThat(c).as("seed %d", seed).isEqualTo(expected));
        }
    }

    @Test
    void hasNothingToCommitBeforeItSawARecord() {
        assertThat(new OffsetTracker().committable()).isEmpty();
    }
}
