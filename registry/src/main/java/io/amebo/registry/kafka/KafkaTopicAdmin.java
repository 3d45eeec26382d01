package io.amebo.registry.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import reactor.core.publisher.Mono;

/**
 * Creates Amebo's topics through the Kafka Admin API (auto-creation is off everywhere). Creating a topic that
 * already exists succeeds: the registry may be retrying after a failure half-way.
 */
public final class KafkaTopicAdmin implements AutoCloseable {

    private final Admin admin;
    private final short replicationFactor;
    private final Duration timeout;

    public KafkaTopicAdmin(Admin admin, short replicationFactor, Duration timeout) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
        this.timeout = timeout;
    }

    /** An action's event topic: delete policy with the action's retention ({@code -1} keeps events forever). */
    public Mono<Void> ensureEventTopic(String topic, int partitions, long retentionMs) {
        return create(new NewTopic(topic, partitions, replicationFactor)
                .configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG,
                        Long.toString(retentionMs))));
    }

    /** The registry changelog: one partition (one total order of changes), compacted. */
    public Mono<Void> ensureChangelogTopic(String topic) {
        return create(new NewTopic(topic, 1, replicationFactor)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
    }

    private Mono<Void> create(NewTopic topic) {
        return Mono.fromCompletionStage(
                        () -> admin.createTopics(List.of(topic)).all().toCompletionStage())
                .onErrorResume(TopicExistsException.class, e -> Mono.empty())
                .onErrorResume(e -> e.getCause() instanceof TopicExistsException, e -> Mono.empty())
                .timeout(timeout)
                .then();
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
