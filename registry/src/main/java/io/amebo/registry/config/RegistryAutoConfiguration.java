package io.amebo.registry.config;

import io.amebo.contract.KafkaNames;
import io.amebo.contract.registry.ApplicationState;
import io.amebo.platform.auth.ApplicationSecrets;
import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.auth.Credential;
import io.amebo.platform.auth.SecretCipher;
import io.amebo.platform.auth.TokenService;
import io.amebo.platform.config.AuthProperties;
import io.amebo.platform.config.PlatformAutoConfiguration;
import io.amebo.platform.schema.SchemaCompiler;
import io.amebo.platform.view.RegistryView;
import io.amebo.platform.web.JsonBodies;
import io.amebo.registry.core.Retention;
import io.amebo.registry.kafka.ChangelogRelay;
import io.amebo.registry.kafka.KafkaTopicAdmin;
import io.amebo.registry.kafka.LogAppendTimeMigration;
import io.amebo.registry.store.RegistryRepository;
import io.amebo.registry.store.SecretResealing;
import io.amebo.registry.web.RegistryRoutes;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** Wires the registry into any Spring Boot application: its own, or the standalone that composes all three. */
@AutoConfiguration(
        before = PlatformAutoConfiguration.class,
        // in the standalone, the registry's own beans (authentication against its database) come first
        beforeName = {
            "io.amebo.gateway.config.GatewayAutoConfiguration",
            "io.amebo.dispatcher.config.DispatcherAutoConfiguration"
        },
        afterName = {
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
            "org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration",
            "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"
        })
@EnableConfigurationProperties(RegistryProperties.class)
public class RegistryAutoConfiguration {

    @Bean
    RegistryRepository registryRepository(DatabaseClient db, JsonMapper json) {
        return new RegistryRepository(db, json);
    }

    @Bean
    TransactionalOperator registryTransactions(ReactiveTransactionManager transactions) {
        return TransactionalOperator.create(transactions);
    }

    /**
     * The registry authenticates against its own database, the system of record. Where a registry view runs in the
     * same application (the standalone), it answers first, from memory, so that publishing does not query
     * PostgreSQL on every request; the database answers what the view has not seen yet. A secret rotated a moment
     * ago is then known to the view a fraction of a second later (the old one keeps working meanwhile).
     */
    @Bean
    @ConditionalOnMissingBean(ApplicationSecrets.class)
    ApplicationSecrets registryApplicationSecrets(
            RegistryRepository repository, SecretCipher cipher, Clock clock, ObjectProvider<RegistryView> views) {
        return application -> {
            RegistryView view = views.getIfAvailable();
            Optional<ApplicationState> known = view == null ? Optional.empty() : view.application(application);
            return known.map(Mono::just)
                    .orElseGet(() -> repository.findApplication(application))
                    .map(app -> Credential.of(app, cipher, clock.instant()))
                    .defaultIfEmpty(List.of());
        };
    }

    @Bean(destroyMethod = "close")
    KafkaTopicAdmin kafkaTopicAdmin(KafkaProperties kafka, RegistryProperties properties) {
        return new KafkaTopicAdmin(
                Admin.create(kafka.buildAdminProperties()), properties.replicationFactor(), properties.kafkaTimeout());
    }

    @Bean
    SecretResealing secretResealing(
            RegistryRepository repository,
            TransactionalOperator registryTransactions,
            SecretCipher cipher,
            ChangelogRelay changelogRelay) {
        return new SecretResealing(repository, registryTransactions, cipher, changelogRelay::wakeUp);
    }

    @Bean
    LogAppendTimeMigration logAppendTimeMigration(RegistryRepository repository, KafkaTopicAdmin topics) {
        return new LogAppendTimeMigration(repository, topics);
    }

    @Bean
    ChangelogRelay changelogRelay(
            RegistryRepository repository,
            TransactionalOperator registryTransactions,
            KafkaProperties kafka,
            KafkaTopicAdmin topics,
            KafkaNames names,
            JsonMapper json,
            RegistryProperties properties) {
        Map<String, Object> producer = kafka.buildProducerProperties();
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, "amebo-registry-changelog");
        KafkaTemplate<String, byte[]> template = new KafkaTemplate<>(
                new DefaultKafkaProducerFactory<>(producer, new StringSerializer(), new ByteArraySerializer()));
        return new ChangelogRelay(
                repository,
                registryTransactions,
                template,
                topics,
                names.registryTopic(),
                json,
                properties.changelogInterval());
    }

    @Bean
    @ConditionalOnMissingBean
    SchemaCompiler schemaCompiler() {
        return new SchemaCompiler();
    }

    @Bean
    RouterFunction<ServerResponse> registryRoutes(
            Authenticator authenticator,
            TokenService tokens,
            JsonBodies bodies,
            RegistryRepository repository,
            TransactionalOperator registryTransactions,
            SecretCipher cipher,
            KafkaTopicAdmin topics,
            KafkaNames names,
            SchemaCompiler compiler,
            ChangelogRelay relay,
            JsonMapper json,
            Clock clock,
            AuthProperties auth,
            RegistryProperties properties) {
        return RegistryRoutes.router(new RegistryRoutes.Dependencies(
                authenticator,
                tokens,
                bodies,
                repository,
                registryTransactions,
                cipher,
                topics,
                names,
                compiler,
                relay,
                json,
                clock,
                auth.secretGrace(),
                properties.partitions(),
                Retention.of(properties.retention()),
                properties.maxRetries(),
                properties.allowPrivateAddresses(),
                properties.maxPartitions(),
                properties.maxActionsPerApplication(),
                properties.maxSubscriptionsPerApplication()));
    }
}
