package io.amebo.dispatcher.delivery;

import io.amebo.platform.kafka.Sends;
import java.time.Duration;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The dispatcher's writes to Kafka (retries, dead letters, gists): each completes when the broker acknowledged it;
 * a write the broker refuses is made again with backoff ({@code backoff}, doubling up to {@code cap}), never dropped.
 * Sends run off the event loop: {@code send()} may block for metadata or buffer space.
 */
public final class PatientProducer {

    private static final Logger log = LoggerFactory.getLogger(PatientProducer.class);

    private final Producer<String, byte[]> producer;
    private final Duration backoff;
    private final Duration cap;

    public PatientProducer(Producer<String, byte[]> producer, Duration backoff, Duration cap) {
        this.producer = producer;
        this.backoff = backoff;
        this.cap = cap;
    }

    public Mono<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return Mono.fromFuture(() -> Sends.acked(producer, record))
                .subscribeOn(Schedulers.boundedElastic())
                .retryWhen(Retry.backoff(Long.MAX_VALUE, backoff)
                        .maxBackoff(cap)
                        .doBeforeRetry(signal -> log.warn(
                                "Could not write to {} (try {}): {}; trying again",
                                record.topic(),
                                signal.totalRetries() + 1,
                                signal.failure().toString())));
    }
}
