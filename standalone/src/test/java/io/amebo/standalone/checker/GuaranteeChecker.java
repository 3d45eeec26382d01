package io.amebo.standalone.checker;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The checker's entry point: which seeds to run (given, or new ones), and one run per seed with the settings from
 * system properties ({@code amebo.checker.*}).
 */
public final class GuaranteeChecker {

    private static final int DEFAULT_ROUNDS = 2;

    private GuaranteeChecker() {}

    /**
     * The seeds to run: those given in {@code amebo.checker.seed} (comma-separated), topped up to
     * {@code amebo.checker.rounds} with seeds derived from the last one, or new random ones when none is given.
     */
    public static List<Long> seeds(Properties properties) {
        List<Long> seeds = new ArrayList<>();
        String given = properties.getProperty("amebo.checker.seed", "").trim();
        for (String seed : given.split(",")) {
            if (!seed.isBlank()) {
                seeds.add(Long.parseLong(seed.trim()));
            }
        }
        int rounds = Integer.parseInt(properties.getProperty(
                "amebo.checker.rounds", String.valueOf(seeds.isEmpty() ? DEFAULT_ROUNDS : seeds.size())));
        long next = seeds.isEmpty() ? new SecureRandom().nextLong() : seeds.get(seeds.size() - 1);
        while (seeds.size() < rounds) {
            next = Handlers.mix(next, seeds.size()) & Long.MAX_VALUE; // positive: easy to copy from a log
            seeds.add(next);
        }
        return seeds;
    }

    /** Runs one round with {@code seed}; prints its report; true if every check passed. */
    public static boolean run(long seed, Properties properties) {
        CheckerRun.Settings settings = new CheckerRun.Settings(
                Duration.ofSeconds(Long.parseLong(properties.getProperty("amebo.checker.workload", "24"))),
                Duration.ofSeconds(Long.parseLong(properties.getProperty("amebo.checker.quiesce", "90"))),
                Double.parseDouble(properties.getProperty("amebo.checker.rate", "20")));
        Path logs = Path.of("target", "checker", Long.toString(seed));
        System.out.printf(
                "[checker %d] starting (replay with -Damebo.checker.seed=%d); logs of killable dispatchers in %s%n",
                seed, seed, logs.toAbsolutePath());
        return new CheckerRun(seed, settings, logs).run().passed();
    }
}
