package io.amebo.dispatcher.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The shared retry topics, one per delay tier (DESIGN §3), and how a wait is spread over them.
 *
 * <p>A record on tier {@code T} is always readable exactly {@code T} after it was written (its <em>hop</em>), so the
 * records of one tier partition come due in the order they were written, and a consumer waits only for each
 * partition's head: a long wait never blocks a shorter one. A wait longer than a tier takes several hops: each hop
 * goes to the longest tier not above what is left, and what is left after the last hop, less than the shortest tier,
 * is waited out in memory. No record stays on a retry topic longer than the longest tier, so waits of any length
 * (a {@code sleep_until} a year ahead) outlive no topic's retention.
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

    public static final Duration SHORTEST = TIERS.get(0);
    public static final Duration LONGEST = TIERS.get(TIERS.size() - 1);

    private RetryTiers() {}

    /** The tier of the next hop for a wait of {@code left}: the longest tier not above it; empty below the shortest. */
    public static Optional<Duration> hopFor(Duration left) {
        Duration chosen = null;
        for (Duration tier : TIERS) {
            if (tier.compareTo(left) <= 0) {
                chosen = tier;
            }
        }
        return Optional.ofNullable(chosen);
    }
}
