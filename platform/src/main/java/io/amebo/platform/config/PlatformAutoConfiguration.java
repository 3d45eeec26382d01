package io.amebo.platform.config;

import io.amebo.contract.KafkaNames;
import io.amebo.platform.auth.ApplicationSecrets;
import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.auth.LoginThrottle;
import io.amebo.platform.auth.SecretCipher;
import io.amebo.platform.auth.TokenService;
import io.amebo.platform.health.KafkaHealthIndicator;
import io.amebo.platform.web.JsonBodies;
import io.amebo.platform.web.ProblemRendering;
import io.amebo.platform.web.RequestTargetCheck;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import tools.jackson.databind.json.JsonMapper;

/** What every service shares: names, secrets, tokens, authentication and problem rendering. */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
            "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"
        })
@EnableConfigurationProperties({AuthProperties.class, KafkaTopicsProperties.class})
public class PlatformAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    KafkaNames kafkaNames(KafkaTopicsProperties properties) {
        return new KafkaNames(properties.topicPrefix());
    }

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    @ConditionalOnMissingBean
    SecretCipher secretCipher(AuthProperties properties) {
        try {
            return SecretCipher.fromBase64(properties.masterKey());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("amebo.auth.master-key is unusable: " + e.getMessage());
        }
    }

    @Bean
    @ConditionalOnMissingBean
    TokenService tokenService(SecretCipher cipher, AuthProperties properties, Clock clock) {
        return new TokenService(cipher.deriveKey("amebo token signing v1"), properties.tokenLifetime(), clock);
    }

    @Bean
    @ConditionalOnBean(ApplicationSecrets.class)
    @ConditionalOnMissingBean
    Authenticator authenticator(AuthProperties properties, TokenService tokens, ApplicationSecrets secrets) {
        return new Authenticator(
                properties.adminToken(),
                tokens,
                secrets,
                new LoginThrottle(properties.loginFailures(), properties.tokensPerWindow(), properties.loginWindow()));
    }

    /** Only where Spring Boot's Jackson auto-configuration provides none. */
    @Bean
    @ConditionalOnMissingBean
    JsonMapper ameboJsonMapper() {
        return JsonMapper.builder().build();
    }

    /** {@code kafka} in the health groups: the readiness of every service includes it. */
    @Bean(name = "kafkaHealthIndicator")
    @ConditionalOnMissingBean(name = "kafkaHealthIndicator")
    @ConditionalOnClass(name = "org.springframework.boot.kafka.autoconfigure.KafkaProperties")
    KafkaHealthIndicator kafkaHealthIndicator(KafkaProperties kafka) {
        Map<String, Object> props = kafka.buildAdminProperties();
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "amebo-health");
        return new KafkaHealthIndicator(Admin.create(props), Duration.ofSeconds(3));
    }

    @Bean
    @ConditionalOnMissingBean
    JsonBodies jsonBodies(JsonMapper json) {
        return new JsonBodies(json);
    }

    @Bean
    @ConditionalOnMissingBean
    RequestTargetCheck requestTargetCheck() {
        return new RequestTargetCheck();
    }

    /** Ahead of Boot's own error handler (order -1), so every error is a problem. */
    @Bean
    @Order(-2)
    @ConditionalOnMissingBean
    ProblemRendering problemRendering(JsonMapper json) {
        return new ProblemRendering(json);
    }
}
