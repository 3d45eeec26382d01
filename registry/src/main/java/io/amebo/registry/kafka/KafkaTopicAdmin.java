package io.amebo.registry.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Creates Amebo's topics through the Kafka Admin API (auto-creation is off everywhere), and reads and sets the
 * timestamp type of event topics. Creating a topic that already exists succeeds: the registry may be retrying
 * after a failure half-way. Every call gives up after the configured timeout.
 */
public final class KafkaTopicAdmin implements AutoCloseable {

    /**
     * The broker stamps each record of an event topic with the time it appended it: DESIGN §3 reads time ranges and
     * replays by that time, which no producer's clock can skew.
     */
    public static final String LOG_APPEND_TIME = "LogAppendTime";

    private final Admin admin;
    private final short replicationFactor;
    private final Duration timeout;

    public KafkaTopicAdmin(Admin admin, short replicationFactor, Duration timeout) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
        this.timeout = timeout;
    }

    /**
     * An action's event topic: delete policy with the action's retention ({@code -1} keeps events forever),
     * timestamps by the broker's append time. A topic that already exists is left as it is.
     */
    public Mono<Void> ensureEventTopic(String topic, int partitions, long retentionMs) {
        return create(new NewTopic(topic, partitions, replicationFactor)
                .configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG,
                        Long.toString(retentionMs),
                        TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                        LOG_APPEND_TIME)));
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

    /**
     * A topic's {@code message.timestamp.type}, and whether the topic sets it itself rather than inheriting the
     * broker's default (which an operator may change under it).
     */
    public record TimestampType(String topic, String type, boolean setOnTopic) {

        public boolean isLogAppendTimeOnTopic() {
            return setOnTopic && LOG_APPEND_TIME.equals(type);
        }

        @Override
        public String toString() {
            return type + (setOnTopic ? "" : " (broker default)");
        }
    }

    /** The timestamp type of each of {@code topics} that exists; errors if Kafka does not answer in time. */
    public Flux<TimestampType> timestampTypes(Collection<String> topics) {
        List<ConfigResource> resources =
                topics.stream().map(KafkaTopicAdmin::resource).toList();
        DescribeConfigsOptions options = new DescribeConfigsOptions().timeoutMs(timeoutMs());
        return Mono.fromSupplier(() -> admin.describeConfigs(resources, options).values())
                .flatMapIterable(Map::entrySet)
                .concatMap(described -> timestampType(described.getKey().name(), described.getValue()));
    }

    private static Mono<TimestampType> timestampType(String topic, KafkaFuture<Config> described) {
        return Mono.fromCompletionStage(described.toCompletionStage())
                .map(config -> timestampType(topic, config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG)))
                .onErrorResume(KafkaTopicAdmin::isUnknownTopic, e -> Mono.empty());
    }

    private static TimestampType timestampType(String topic, ConfigEntry entry) {
        return new TimestampType(topic, entry.value(), entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
    }

    /** Sets {@code message.timestamp.type=LogAppendTime} on every one of {@code topics}, or errors. */
    public Mono<Void> useLogAppendTime(Collection<String> topics) {
        AlterConfigOp set = new AlterConfigOp(
                new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, LOG_APPEND_TIME), AlterConfigOp.OpType.SET);
        Map<ConfigResource, Collection<AlterConfigOp>> changes = topics.stream()
                .map(KafkaTopicAdmin::resource)
                .collect(Collectors.toMap(Function.identity(), r -> List.of(set)));
        AlterConfigsOptions options = new AlterConfigsOptions().timeoutMs(timeoutMs());
        return Mono.fromCompletionStage(() ->
                        admin.incrementalAlterConfigs(changes, options).all().toCompletionStage())
                .then();
    }

    private static ConfigResource resource(String topic) {
        return new ConfigResource(ConfigResource.Type.TOPIC, topic);
    }

    private static boolean isUnknownTopic(Throwable e) {
        return e instanceof UnknownTopicOrPartitionException
                || e.getCause() instanceof UnknownTopicOrPartitionException;
    }

    private int timeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
