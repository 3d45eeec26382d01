package io.amebo.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.standalone.checker.GuaranteeChecker;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The guarantee checker (DESIGN §6.10): the registry and the gateway, three dispatchers (two in Spring contexts of
 * this JVM, one in a JVM of its own that is killed with SIGKILL), a random mix of subscriptions whose handlers fail
 * in every way, and faults at random times (dispatchers stopped, killed and restarted, the delivery log's database
 * cut off, subscriptions paused, deleted and re-created, handler outages); then everything heals, the system goes
 * quiet, and the checks must find every acknowledged event delivered or dead for every subscription that existed
 * when it was appended, dead letters only where the handler really failed, per-key order in ordered mode, gists in
 * final states true to what the handlers saw, duplicates only around restarts, and consumer lag back at 0.
 *
 * <p>One round per seed, each on topics, groups and a database of its own (about a minute on 2 cores); the seeds are
 * printed first, and each round ends with its report. {@code -Damebo.checker.seed=<n>[,<n>…]} replays seeds,
 * {@code -Damebo.checker.rounds=<n>} runs more rounds (default 2, new random seeds, or seeds derived from the last
 * one given), {@code -Damebo.checker.workload=<seconds>} (24) and {@code -Damebo.checker.rate=<events per second>}
 * (20) change the load, {@code -Damebo.checker.quiesce=<seconds>} (90) how long the system may take to go quiet. A
 * seed replays the same subscriptions, publishes, fault plan and handler answers, not the same thread interleaving.
 *
 * <p>The abrupt kind of stop is a SIGKILL of a real process: a dispatcher in this JVM cannot be stopped without its
 * shutdown (last commits, last writes of the delivery log), so the killable dispatcher runs in a JVM of its own, on
 * this JVM's classpath; its log is kept under {@code target/checker/<seed>}.
 */
class DeliveryCheckerIT {

    private static List<Long> seeds;

    @BeforeAll
    static void chooseSeeds() {
        seeds = GuaranteeChecker.seeds(System.getProperties());
        System.out.printf(
                "[checker] seeds %s (replay one with -Damebo.checker.seed=<seed> -Dit.test=DeliveryCheckerIT)%n",
                seeds);
    }

    @TestFactory
    Stream<DynamicTest> everyAcknowledgedEventIsDeliveredOrDeadUnderRandomFaults() {
        return seeds.stream()
                .map(seed -> DynamicTest.dynamicTest(
                        "seed " + seed,
                        () -> assertThat(GuaranteeChecker.run(seed, System.getProperties()))
                                .as("the guarantees of DESIGN §6.10 with seed %d (see the report above)", seed)
                                .isTrue()));
    }
}
