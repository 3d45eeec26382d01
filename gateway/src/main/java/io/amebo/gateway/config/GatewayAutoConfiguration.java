package io.amebo.gateway.config;

import io.amebo.gateway.http.RegistryClient;
import io.amebo.gateway.http.RegistryLookups;
import io.amebo.gateway.kafka.KafkaEventLog;
import io.amebo.gateway.publish.Publisher;
import io.amebo.gateway.store.DedupeRepository;
import io.amebo.gateway.web.EventRoutes;
import io.amebo.platform.auth.ApplicationSecrets;
import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.auth.Credential;
import io.amebo.platform.auth.SecretCipher;
import io.amebo.platform.config.AuthProperties;
import io.amebo.platform.config.PlatformAutoConfiguration;
import io.amebo.platform.config.RegistryViewConfiguration;
import io.amebo.platform.schema.SchemaCompiler;
import io.amebo.platform.store.BackgroundMigration;
import io.amebo.platform.view.RegistryView;
import io.amebo.platform.web.JsonBodies;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/** Wires the gateway into any Spring Boot application: its own, or the standalone that composes all three. */
@AutoConfiguration(
        before = PlatformAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
            "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"
        })
@EnableConfigurationProperties(GatewayProperties.class)
@Import(RegistryViewConfiguration.class)
public class GatewayAutoConfiguration {

    /**
     * Publishers authenticate against the registry view (in memory), so publishing goes on while the registry and
     * PostgreSQL are down; an application registered a moment ago is looked up in the registry.
     */
    @Bean
    @ConditionalOnMissingBean(ApplicationSecrets.class)
    ApplicationSecrets viewApplicationSecrets(RegistryLookups registry, SecretCipher cipher, Clock clock) {
        return application -> registry.application(application)
                .map(found -> found.map(app -> Credential.of(app, cipher, clock.instant()))
                        .orElse(List.of()));
    }

    @Bean
    RegistryLookups registryLookups(
            RegistryView view, WebClient.Builder http, GatewayProperties properties, AuthProperties auth) {
        return new RegistryLookups(
                view,
                new RegistryClient(http, properties.registryUrl(), auth.adminToken(), properties.registryTimeout()));
    }

    @Bean(destroyMethod = "close")
    KafkaEventLog kafkaEventLog(KafkaProperties kafka, GatewayProperties properties) {
        Map<String, Object> producer = kafka.buildProducerProperties();
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer.put(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) properties.maxBlock().toMillis());
        // linger 0: each request waits for its own ack, and whatever piles up behind in-flight requests is batched
        // anyway; a linger would make every publish wait it out (BUILD-NOTES: ~42k vs ~10k req/s)
        producer.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        producer.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "amebo-gateway");
        Map<String, Object> consumer = kafka.buildConsumerProperties();
        consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // a reader's poll leaves a fetch for the next offsets in flight; at the log's end the broker would hold it
        // for fetch.max.wait.ms (500 ms), and the next read on that consumer would wait behind it
        consumer.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        return new KafkaEventLog(
                new KafkaProducer<>(producer, new StringSerializer(), new ByteArraySerializer()),
                () -> new KafkaConsumer<>(consumer, new StringDeserializer(), new ByteArrayDeserializer()),
                properties.readers(),
                properties.readTimeout());
    }

    @Bean
    DedupeRepository dedupeRepository(DatabaseClient db) {
        return new DedupeRepository(db);
    }

    /** Uses the same coordinates as the registry's Flyway ({@code spring.flyway.url}, {@code .user}, {@code .password}). */
    @Bean
    BackgroundMigration dedupeSchema(Environment environment) {
        String url = environment.getProperty("spring.flyway.url");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("spring.flyway.url must name the PostgreSQL database (JDBC URL) that holds"
                    + " the gateway's deduplication table, e.g. jdbc:postgresql://localhost:5432/amebo");
        }
        return new BackgroundMigration(
                "gateway",
                url,
                environment.getProperty("spring.flyway.user"),
                environment.getProperty("spring.flyway.password"));
    }

    @Bean
    @ConditionalOnMissingBean
    SchemaCompiler schemaCompiler() {
        return new SchemaCompiler();
    }

    @Bean
    Publisher publisher(
            RegistryLookups registry,
            SchemaCompiler compiler,
            KafkaEventLog events,
            DedupeRepository dedupe,
            BackgroundMigration dedupeSchema,
            JsonMapper json,
            Clock clock,
            GatewayProperties properties) {
        return new Publisher(
                registry,
                compiler,
                events,
                dedupe,
                dedupeSchema,
                json,
                clock,
                properties.publishTimeout(),
                properties.dedupeWindow(),
                properties.publicUrl());
    }

    /** Request bodies up to {@code amebo.gateway.max-body-size}; beyond it the codecs fail and we answer 413. */
    @Bean
    CodecCustomizer gatewayBodyLimit(GatewayProperties properties) {
        return codecs -> codecs.defaultCodecs()
                .maxInMemorySize((int) properties.maxBodySize().toBytes());
    }

    @Bean
    RouterFunction<ServerResponse> eventRoutes(
            Authenticator authenticator,
            JsonBodies bodies,
            Publisher publisher,
            RegistryLookups registry,
            KafkaEventLog events,
            GatewayProperties properties,
            MeterRegistry meters) {
        return EventRoutes.router(
                authenticator, bodies, publisher, registry, events, properties.maxBatchItems(), meters);
    }
}
