package io.amebo.platform.config;

import io.amebo.contract.KafkaNames;
import io.amebo.platform.view.KafkaRegistryView;
import io.amebo.platform.view.RegistryView;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The registry view, for the services that read the registry from its changelog (gateway, dispatcher): imported by
 * their auto-configurations, and shared when the standalone composes them. Kafka client settings come from
 * {@code spring.kafka.*}.
 */
@Configuration(proxyBeanMethods = false)
public class RegistryViewConfiguration {

    @Bean
    @ConditionalOnMissingBean(RegistryView.class)
    KafkaRegistryView registryView(KafkaProperties kafka, KafkaNames names, JsonMapper json) {
        Map<String, Object> props = kafka.buildConsumerProperties();
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "amebo-registry-view");
        return new KafkaRegistryView(
                () -> new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
                names.registryTopic(),
                json);
    }
}
