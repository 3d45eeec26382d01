package io.amebo.platform.config;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Naming of Amebo's Kafka topics and groups ({@code amebo.kafka.*}; DESIGN §3).
 *
 * @param topicPrefix the prefix of every topic and consumer group; default {@code amebo}
 */
@Validated
@ConfigurationProperties("amebo.kafka")
public record KafkaTopicsProperties(
        @DefaultValue("amebo") @NotBlank String topicPrefix) {}
