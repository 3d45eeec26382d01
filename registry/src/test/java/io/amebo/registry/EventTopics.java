package io.amebo.registry;

import io.amebo.testkit.SharedKafka;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/** An event topic's settings as Kafka's own tools show them. */
final class EventTopics {

    private EventTopics() {}

    /** The topic's effective {@code message.timestamp.type}: {@code CreateTime} or {@code LogAppendTime}. */
    static String timestampType(SharedKafka kafka, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = kafka.admin()) {
            Config config = admin.describeConfigs(List.of(resource))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(resource);
            return config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value();
        }
    }
}
