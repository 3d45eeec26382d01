package io.amebo.dispatcher.kafka;

import io.amebo.dispatcher.delivery.PatientProducer;
import io.amebo.dispatcher.store.GistJournal;
import io.amebo.dispatcher.store.GistLog.Gist;
import org.apache.kafka.clients.producer.ProducerRecord;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gist journal on Kafka: each outcome is a JSON record on {@code <prefix>.gists}, keyed by gist id, so one
 * delivery's records stay in order on one partition; acknowledged with the dispatcher's {@code acks=all} producer.
 */
public final class KafkaGistJournal implements GistJournal {

    private final PatientProducer producer;
    private final String topic;
    private final JsonMapper json;

    public KafkaGistJournal(PatientProducer producer, String topic, JsonMapper json) {
        this.producer = producer;
        this.topic = topic;
        this.json = json;
    }

    @Override
    public Mono<Void> append(Gist gist) {
        return Mono.fromCallable(() -> json.writeValueAsBytes(gist))
                .flatMap(value ->
                        producer.send(new ProducerRecord<>(topic, gist.id().toString(), value)))
                .then();
    }
}
