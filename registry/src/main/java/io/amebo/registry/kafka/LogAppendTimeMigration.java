package io.amebo.registry.kafka;

import io.amebo.registry.kafka.KafkaTopicAdmin.TimestampType;
import io.amebo.registry.store.RegistryRepository;
import io.amebo.registry.store.StartupPass;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Puts the event topic of every action in the database on {@code message.timestamp.type=LogAppendTime}, which
 * DESIGN §3's time ranges and replays assume: topics created before the registry set it on new topics were created
 * with the producers' CreateTime. A topic that inherits LogAppendTime from the broker's default gets it set on
 * itself too, as a new topic has.
 *
 * <p>It runs once per start, in the background, so startup never waits for Kafka or PostgreSQL: while either does
 * not answer, it logs and tries the whole pass again, after pauses growing from one second to a minute, until one
 * pass has succeeded. It logs every topic it changes. Records appended before the change keep their producers'
 * timestamps; the broker stamps those appended after it. A topic missing from Kafka is skipped.
 */
public final class LogAppendTimeMigration extends StartupPass<Integer> {

    private static final int BATCH = 100;

    private final RegistryRepository repository;
    private final KafkaTopicAdmin topics;

    public LogAppendTimeMigration(RegistryRepository repository, KafkaTopicAdmin topics) {
        super("check the event topics' timestamp type");
        this.repository = repository;
        this.topics = topics;
    }

    @Override
    protected Mono<Integer> run() {
        return migrate();
    }

    /** One pass over every action's topic; completes with how many topics it changed. */
    Mono<Integer> migrate() {
        return repository
                .eventTopics()
                .collectList() // read them all first: no database cursor stays open while Kafka answers
                .flatMapMany(Flux::fromIterable)
                .buffer(BATCH)
                .concatMap(topics::timestampTypes)
                .filter(type -> !type.isLogAppendTimeOnTopic())
                .buffer(BATCH)
                .concatMap(this::change)
                .reduce(0, Integer::sum);
    }

    private Mono<Integer> change(List<TimestampType> batch) {
        return topics.useLogAppendTime(batch.stream().map(TimestampType::topic).toList())
                .doOnSuccess(done -> batch.forEach(this::logChange))
                .thenReturn(batch.size());
    }

    private void logChange(TimestampType was) {
        log.info(
                "Event topic {} now has message.timestamp.type={} (was {})",
                was.topic(),
                KafkaTopicAdmin.LOG_APPEND_TIME,
                was);
    }

    @Override
    protected void done(Integer changed) {
        if (changed > 0) {
            log.info("Moved {} event topics to {}", changed, KafkaTopicAdmin.LOG_APPEND_TIME);
        }
    }
}
