package io.amebo.platform.kafka;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** A producer's send as a future that completes when the broker acknowledged the record (or failed it). */
public final class Sends {

    private Sends() {}

    public static <K, V> CompletableFuture<RecordMetadata> acked(Producer<K, V> producer, ProducerRecord<K, V> record) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        producer.send(record, (metadata, failure) -> {
            if (failure != null) {
                acked.completeExceptionally(failure);
            } else {
                acked.complete(metadata);
            }
        });
        return acked;
    }
}
