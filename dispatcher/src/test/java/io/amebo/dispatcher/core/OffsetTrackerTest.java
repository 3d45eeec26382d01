package io.amebo.dispatcher.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeSet;
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
        assertThat(tracker.uncommitted()).isEqualTo(OptionalLong.of(10)); // 10 is still in flight
        tracker.completed(10);
        assertThat(tracker.uncommitted()).isEqualTo(OptionalLong.of(13));
        tracker.committed(13);
        assertThat(tracker.uncommitted()).isEmpty(); // nothing moved since the commit
        tracker.completed(14);
        tracker.completed(13);
        assertThat(tracker.uncommitted()).isEqualTo(OptionalLong.of(15));
        assertThat(tracker.pending()).isZero();
    }

    @Test
    void theCommittedMarkMovesOnlyWhenACommitSucceeded() {
        OffsetTracker tracker = new OffsetTracker();
        tracker.started(0);
        tracker.completed(0);

        assertThat(tracker.uncommitted()).isEqualTo(OptionalLong.of(1));
        // the commit of 1 failed: nothing was confirmed, so 1 is still to be committed
        assertThat(tracker.uncommitted()).isEqualTo(OptionalLong.of(1));
        tracker.committed(1);
        assertThat(tracker.uncommitted()).isEmpty();
        tracker.committed(0); // a late confirmation of an older commit never moves the mark back
        assertThat(tracker.uncommitted()).isEmpty();
    }

    @Test
    void neverCommitsPastARecordInFlightWhateverTheCompletionOrder() {
        long seed = Long.getLong("amebo.test.seed", System.nanoTime());
        System.out.println("OffsetTrackerTest seed " + seed + " (rerun with -Damebo.test.seed=" + seed + ")");
        Random random = new Random(seed);
        OffsetTracker tracker = new OffsetTracker();
        List<Long> offsets = new ArrayList<>();
        for (long offset = 0; offset < 500; offset++) {
            tracker.started(offset);
            offsets.add(offset);
        }
        Collections.shuffle(offsets, random);
        TreeSet<Long> pending = new TreeSet<>(offsets);
        for (long offset : offsets) {
            tracker.completed(offset);
            pending.remove(offset);
            long expected = pending.isEmpty() ? 500 : pending.first();
            tracker.uncommitted()
                    .ifPresent(c -> assertThat(c).as("seed %d", seed).isEqualTo(expected));
            assertThat(tracker.position()).as("seed %d", seed).isEqualTo(OptionalLong.of(expected));
            if (random.nextBoolean()) {
                tracker.committed(expected);
            }
        }
    }

    @Test
    void hasNothingToCommitBeforeItSawARecord() {
        assertThat(new OffsetTracker().uncommitted()).isEmpty();
        assertThat(new OffsetTracker().position()).isEmpty();
    }
}
