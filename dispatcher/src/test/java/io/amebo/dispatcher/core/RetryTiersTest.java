package io.amebo.dispatcher.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryTiersTest {

    @Test
    void hopsOnTheLongestTierNotAboveWhatIsLeft() {
        assertThat(RetryTiers.hopFor(Duration.ofMillis(200))).isEmpty(); // waited out in memory
        assertThat(RetryTiers.hopFor(Duration.ofSeconds(1))).contains(Duration.ofSeconds(1));
        assertThat(RetryTiers.hopFor(Duration.ofSeconds(7))).contains(Duration.ofSeconds(5));
        assertThat(RetryTiers.hopFor(Duration.ofHours(3))).contains(Duration.ofHours(1));
    }

    /**
     * Any wait, up to a year ahead, is a chain of hops none longer than the longest tier (so none outlives a retry
     * topic's retention or holds up a shorter wait behind it), and what is left after them is under the shortest
     * tier; the hops add up to the wait exactly.
     */
    @Test
    void spreadsAnyWaitOverHopsNoneLongerThanTheLongestTier() {
        long seed = Long.getLong("amebo.test.seed", System.nanoTime());
        System.out.println("RetryTiersTest seed " + seed + " (rerun with -Damebo.test.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            Duration wait = Duration.ofMillis((long) Math.pow(10, random.nextDouble() * 10.5)); // 1 ms to ~1 year
            Duration left = wait;
            int hops = 0;
            Optional<Duration> hop;
            while ((hop = RetryTiers.hopFor(left)).isPresent()) {
                assertThat(hop.get()).as("seed %d, wait %s", seed, wait).isLessThanOrEqualTo(RetryTiers.LONGEST);
                assertThat(hop.get()).as("seed %d, wait %s", seed, wait).isLessThanOrEqualTo(left);
                left = left.minus(hop.get());
                hops++;
            }
            assertThat(left).as("seed %d, wait %s", seed, wait).isLessThan(RetryTiers.SHORTEST);
            if (wait.compareTo(RetryTiers.LONGEST) <= 0) {
                assertThat(hops).as("seed %d, wait %s", seed, wait).isLessThanOrEqualTo(12);
            }
        }
    }
}
