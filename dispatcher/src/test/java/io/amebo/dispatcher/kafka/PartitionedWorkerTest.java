package io.amebo.dispatcher.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.dispatcher.delivery.DeliveryExecutor.Settled;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The delivery runtime's state machine on a {@link MockConsumer}: deliveries are held open by the test and settled
 * at will, so slots running out, revocations during busy keys and late completions can be played exactly.
 */
class PartitionedWorkerTest {

    private static final String TOPIC = "amebo.test";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final RecordingConsumer consumer = new RecordingConsumer();
    private ScriptedWorker worker;

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.stop();
        }
    }

    /** Remembers every commit, and how it was made (a MockConsumer forgets the offsets of revoked partitions). */
    static final class RecordingConsumer extends MockConsumer<String, byte[]> {
        final Map<TopicPartition, OffsetAndMetadata> commits = new ConcurrentHashMap<>();
        final List<String> kinds = new CopyOnWriteArrayList<>();
        private volatile boolean syncing;

        RecordingConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void commitAsync(
                Map<TopicPartition, OffsetAndMetadata> offsets,
                org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
            commits.putAll(offsets);
            if (!syncing) {
                kinds.add("async " + offsets.keySet());
            }
            super.commitAsync(offsets, callback);
        }

        @Override
        public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            commits.putAll(offsets);
            kinds.add("sync " + offsets.keySet());
            syncing = true; // MockConsumer commits synchronously through its own commitAsync
            try {
                super.commitSync(offsets, timeout);
            } finally {
                syncing = false;
            }
        }
    }

    /** A worker whose every delivery waits until the test settles it. */
    static final class ScriptedWorker extends PartitionedWorker {
        final List<String> started = new CopyOnWriteArrayList<>();
        final List<String> cancelled = new CopyOnWriteArrayList<>();
        final Map<String, Sinks.One<Settled>> open = new ConcurrentHashMap<>();
        private final boolean ordered;
        private final CommitControl commits = new CommitControl("test", "test-identity", Duration.ZERO);

        ScriptedWorker(Consumer<String, byte[]> consumer, int maxInFlight, boolean ordered) {
            super("scripted-worker", () -> consumer, maxInFlight, Duration.ofMillis(200));
            this.ordered = ordered;
        }

        @Override
        protected void begin(Consumer<String, byte[]> consumer, ConsumerRebalanceListener rebalance) {
            consumer.subscribe(List.of(TOPIC), rebalance);
        }

        @Override
        protected boolean accept(
                Consumer<String, byte[]> consumer, PartitionContext context, ConsumerRecord<String, byte[]> record) {
            admit(context, record);
            return true;
        }

        @Override
        protected Mono<Settled> deliver(PartitionContext context, ConsumerRecord<String, byte[]> record) {
            String name = name(record);
            Sinks.One<Settled> settled = Sinks.one();
            open.put(name, settled);
            started.add(name);
            return settled.asMono().doOnCancel(() -> cancelled.add(name));
        }

        @Override
        protected String orderKey(ConsumerRecord<String, byte[]> record) {
            return ordered ? record.key() : null;
        }

        @Override
        protected CommitControl commits() {
            return commits;
        }

        /** Settles the delivery of the record named {@code p<partition>@<offset>} that is open now. */
        void settle(String name) {
            open.remove(name).tryEmitValue(Settled.DELIVERED);
        }
    }

    private static String name(ConsumerRecord<String, byte[]> record) {
        return "p" + record.partition() + "@" + record.offset();
    }

    private void start(int maxInFlight, boolean ordered, List<TopicPartition> partitions) {
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        worker = new ScriptedWorker(consumer, maxInFlight, ordered);
        worker.start();
        onPoll(() -> consumer.rebalance(partitions));
    }

    /** Runs {@code action} on the worker's thread, inside its next poll, and waits for it. */
    private void onPoll(Runnable action) {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        consumer.schedulePollTask(() -> {
            action.run();
            done.countDown();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> done.getCount() == 0);
    }

    private <T> T onPoll(java.util.function.Supplier<T> read) {
        AtomicReference<T> value = new AtomicReference<>();
        onPoll(() -> value.set(read.get()));
        return value.get();
    }

    private void add(TopicPartition partition, long offset, String key) {
        consumer.addRecord(new ConsumerRecord<>(TOPIC, partition.partition(), offset, key, new byte[0]));
    }

    @Test
    void runningOutOfSlotsPausesThePartitionsAndKeepsPollingInsteadOfBlocking() {
        start(2, false, List.of(P0));
        onPoll(() -> {
            for (long offset = 0; offset < 6; offset++) {
                add(P0, offset, "k" + offset);
            }
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> worker.started.size() == 2);
        // the loop still polls (these tasks run inside poll) and has paused the partition
        assertThat(onPoll(consumer::paused)).containsExactly(P0);
        assertThat(onPoll(consumer::paused)).containsExactly(P0);
        assertThat(worker.started).containsExactly("p0@0", "p0@1");

        worker.settle("p0@1");
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.started.size() == 3);
        assertThat(worker.started).containsExactly("p0@0", "p0@1", "p0@2");
        // p0@0 is still open: nothing can be committed past it
        assertThat(onPoll(() -> consumer.commits
                        .getOrDefault(P0, new OffsetAndMetadata(0))
                        .offset()))
                .isZero();

        worker.settle("p0@0");
        worker.settle("p0@2");
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.started.size() == 5);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> onPoll(() -> consumer.commits.get(P0).offset()) == 3);
        OffsetAndMetadata committed = onPoll(() -> consumer.commits.get(P0));
        assertThat(committed.metadata()).isEqualTo("test-identity");
    }

    @Test
    void aPartitionRevokedWhileItsKeyIsBusyComesBackWithNothingBlockedAndItsOldDeliveriesFenced() {
        start(8, true, List.of(P0, P1));
        onPoll(() -> {
            add(P0, 0, "a");
            add(P0, 1, "a");
            add(P0, 2, "a");
            add(P1, 0, "b");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.started.size() == 2);
        assertThat(worker.started).containsExactlyInAnyOrder("p0@0", "p1@0"); // p0@1 and p0@2 wait behind key a
        Sinks.One<Settled> stale = worker.open.get("p0@0");

        // partition 0 moves away while key a is busy, and comes back
        onPoll(() -> consumer.rebalance(List.of(P1)));
        assertThat(worker.cancelled).containsExactly("p0@0");
        onPoll(() -> {
            consumer.rebalance(List.of(P0, P1));
            consumer.seek(P0, 0);
            add(P0, 0, "a");
            add(P0, 1, "a");
            add(P0, 2, "a");
        });

        // key a is free again: its first record starts anew, the others wait behind it
        await().atMost(Duration.ofSeconds(10))
                .until(() -> worker.started.stream().filter("p0@0"::equals).count() == 2);
        // the old session's delivery settling late touches nothing: p0@1 still waits for the new p0@0
        stale.tryEmitValue(Settled.DELIVERED);
        assertThat(onPoll(() -> worker.started.contains("p0@1"))).isFalse();
        assertThat(onPoll(() -> worker.started.contains("p0@1"))).isFalse();

        worker.settle("p0@0");
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.started.contains("p0@1"));
        worker.settle("p0@1");
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.started.contains("p0@2"));
        assertThat(worker.started).containsSubsequence("p0@0", "p0@0", "p0@1", "p0@2");
        // key b of the other partition was never held up
        worker.settle("p1@0");
    }

    @Test
    void commitsWhatSettledWhenAPartitionIsRevoked() {
        start(8, false, List.of(P0, P1));
        onPoll(() -> {
            add(P0, 0, "a");
            add(P0, 1, "b");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.started.size() == 2);
        // p0@0 settles just before the partition is revoked, too late for any commit of the running loop
        onPoll(() -> {
            consumer.kinds.clear();
            worker.settle("p0@0");
            consumer.rebalance(List.of(P1));
        });

        assertThat(consumer.kinds).containsExactly("sync [" + P0 + "]");
        // p0@1 was in flight: it is cancelled here and delivered again by the next owner
        assertThat(consumer.commits.get(P0).offset()).isEqualTo(1);
        assertThat(worker.cancelled).containsExactly("p0@1");
    }
}
