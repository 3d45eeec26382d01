package io.amebo.dispatcher.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a worker's offsets, shared by live delivery and the retry worker: for each partition, the highest
 * contiguous completed offset, asynchronously at most every {@code interval} while the worker runs, and
 * synchronously when partitions are revoked and when the worker stops. A partition's committed mark moves only
 * when the broker confirmed the commit, so a failed commit is simply made again. Commits carry {@code metadata}
 * (the subscription's identity for live delivery), so a later subscription of the same name can tell its group's
 * offsets from an earlier one's. Runs on the consumer's thread only.
 */
final class CommitControl {

    private static final Logger log = LoggerFactory.getLogger(CommitControl.class);
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(10);
    private static final int SYNC_TRIES = 3;

    private final String owner;
    private final String metadata;
    private final Duration interval;
    private long lastAsync;

    CommitControl(String owner, String metadata, Duration interval) {
        this.owner = owner;
        this.metadata = metadata;
        this.interval = interval;
    }

    String metadata() {
        return metadata;
    }

    void commitAsync(Consumer<String, byte[]> consumer, Collection<PartitionContext> contexts) {
        long now = System.nanoTime();
        if (now - lastAsync < interval.toNanos()) {
            return;
        }
        Map<PartitionContext, Long> positions = uncommitted(contexts);
        if (positions.isEmpty()) {
            return;
        }
        lastAsync = now;
        consumer.commitAsync(offsets(positions), (committed, failure) -> {
            if (failure == null) {
                positions.forEach((context, position) -> context.offsets.committed(position));
            } else {
                log.debug("A commit of {} failed (it is made again): {}", owner, failure.toString());
            }
        });
    }

    /** Commits now and waits for the broker; a failure is logged (what was not committed is delivered again). */
    void commitSync(Consumer<String, byte[]> consumer, Collection<PartitionContext> contexts) {
        Map<PartitionContext, Long> positions = uncommitted(contexts);
        if (positions.isEmpty()) {
            return;
        }
        for (int tries = 1; tries <= SYNC_TRIES; tries++) {
            try {
                consumer.commitSync(offsets(positions), SYNC_TIMEOUT);
                positions.forEach((context, position) -> context.offsets.committed(position));
                return;
            } catch (WakeupException e) {
                // a completion (or the stop) woke the consumer: the wakeup is spent, so try again
            } catch (KafkaException e) {
                log.warn("Could not commit {} (its uncommitted events are delivered again): {}", owner, e.toString());
                return;
            }
        }
    }

    private static Map<PartitionContext, Long> uncommitted(Collection<PartitionContext> contexts) {
        Map<PartitionContext, Long> positions = new HashMap<>();
        for (PartitionContext context : contexts) {
            OptionalLong position = context.offsets.uncommitted();
            if (position.isPresent()) {
                positions.put(context, position.getAsLong());
            }
        }
        return positions;
    }

    private Map<TopicPartition, OffsetAndMetadata> offsets(Map<PartitionContext, Long> positions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        positions.forEach(
                (context, position) -> offsets.put(context.partition, new OffsetAndMetadata(position, metadata)));
        return offsets;
    }
}
