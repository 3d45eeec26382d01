package io.amebo.dispatcher.kafka;

import io.amebo.dispatcher.store.GistLog;
import io.amebo.dispatcher.store.GistLog.Gist;
import io.amebo.platform.kafka.ConsumerLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Copies the gist journal into the delivery log in PostgreSQL, in group {@code <prefix>.gist-writer}: a poll's
 * records are written in one batch, and their offsets committed only after PostgreSQL has them. While PostgreSQL is
 * unreachable the batch is read again and retried with backoff; nothing in the journal is lost meanwhile, whether
 * the outage outlasts a restart of the dispatcher or not. A record that is not a gist is skipped (logged).
 */
public final class GistWriter extends ConsumerLoop {

    private static final Logger log = LoggerFactory.getLogger(GistWriter.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration LONGEST_BACKOFF = Duration.ofSeconds(30);

    private final String topic;
    private final GistLog gists;
    private final JsonMapper json;

    public GistWriter(String topic, Supplier<Consumer<String, byte[]>> consumers, GistLog gists, JsonMapper json) {
        super("amebo-gist-writer", consumers, Duration.ofSeconds(1));
        this.topic = topic;
        this.gists = gists;
        this.json = json;
    }

    @Override
    protected void follow(Consumer<String, byte[]> consumer) {
        while (running() && !gists.isReady()) {
            pause(Duration.ofMillis(200)); // the table is migrated in the background
        }
        consumer.subscribe(List.of(topic));
        Duration backoff = FIRST_BACKOFF;
        while (running()) {
            ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
            if (records.isEmpty()) {
                continue;
            }
            try {
                gists.write(parse(records)).block(WRITE_TIMEOUT);
                consumer.commitSync();
                backoff = FIRST_BACKOFF;
            } catch (KafkaException e) {
                throw e; // the consumer's own trouble: start over with a new one
            } catch (RuntimeException e) {
                log.warn(
                        "Could not write {} delivery records yet ({}); trying again in {}",
                        records.count(),
                        e,
                        backoff);
                rewind(consumer, records);
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(LONGEST_BACKOFF) > 0
                        ? LONGEST_BACKOFF
                        : backoff.multipliedBy(2);
            }
        }
    }

    private List<Gist> parse(ConsumerRecords<String, byte[]> records) {
        List<Gist> batch = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            if (record.value() == null) {
                continue;
            }
            try {
                batch.add(json.readValue(record.value(), Gist.class));
            } catch (JacksonException | IllegalArgumentException e) {
                log.warn(
                        "Skipping an unreadable gist record at {}-{}@{}",
                        record.topic(),
                        record.partition(),
                        record.offset());
            }
        }
        return batch;
    }

    /** Back to the first record of the batch in every partition, to read it again. */
    private static void rewind(Consumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            first.put(partition, records.records(partition).get(0).offset());
        }
        first.forEach(consumer::seek);
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
