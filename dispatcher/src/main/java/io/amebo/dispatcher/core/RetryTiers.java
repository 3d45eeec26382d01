package io.amebo.dispatcher.core;

import java.time.Duration;
import java.util.List;

/**
 * The shared retry topics, one per delay tier (DESIGN §3): a retry waits on the tier of the longest delay not
 * above its own, so records on one tier come due in roughly the order they were written and a consumer can wait
 * for the head of each partition without holding anything else up.
 */
public final class RetryTiers {

    public static final List<Duration> TIERS = List.of(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofMinutes(1),
            Duration.ofMinutes(2),
            Duration.ofMinutes(5),
            Duration.ofMinutes(10),
            Duration.ofMinutes(30),
            Duration.ofHours(1));

    private RetryTiers() {}

    /** The tier a retry of {@code delay} waits on. */
    public static Duration tierFor(Duration delay) {
        Duration chosen = TIERS.get(0);
        for (Duration tier : TIERS) {
            if (tier.compareTo(delay) <= 0) {
                chosen = tier;
            }
        }
        return chosen;
    }
}
