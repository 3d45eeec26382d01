package io.amebo.dispatcher.config;

import io.amebo.contract.KafkaNames;
import io.amebo.dispatcher.core.RetryPolicy;
import io.amebo.dispatcher.delivery.Deliverer;
import io.amebo.dispatcher.delivery.DeliveryExecutor;
import io.amebo.dispatcher.delivery.GuardedResolverGroup;
import io.amebo.dispatcher.delivery.PatientProducer;
import io.amebo.dispatcher.delivery.WebhookSender;
import io.amebo.dispatcher.kafka.DeliveryHousekeeping;
import io.amebo.dispatcher.kafka.DeliverySupervisor;
import io.amebo.dispatcher.kafka.GistWriter;
import io.amebo.dispatcher.kafka.KafkaGistJournal;
import io.amebo.dispatcher.kafka.ReplayRunner;
import io.amebo.dispatcher.kafka.WorkerSettings;
import io.amebo.dispatcher.store.GistJournal;
import io.amebo.dispatcher.store.GistLog;
import io.amebo.dispatcher.web.GistRoutes;
import io.amebo.dispatcher.web.ReplayRoutes;
import io.amebo.platform.auth.ApplicationSecrets;
import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.auth.Credential;
import io.amebo.platform.auth.SecretCipher;
import io.amebo.platform.config.AuthProperties;
import io.amebo.platform.config.PlatformAutoConfiguration;
import io.amebo.platform.config.RegistryViewConfiguration;
import io.amebo.platform.store.BackgroundMigration;
import io.amebo.platform.view.RegistryView;
import io.amebo.platform.web.JsonBodies;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.json.JsonMapper;

/** Wires the dispatcher into any Spring Boot application: its own, or the standalone that composes all three. */
@AutoConfiguration(
        before = PlatformAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration",
            "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"
        })
@EnableConfigurationProperties(DispatcherProperties.class)
@Import(RegistryViewConfiguration.class)
public class DispatcherAutoConfiguration {

    /** Applications reading the delivery log authenticate against the registry view. */
    @Bean
    @ConditionalOnMissingBean(ApplicationSecrets.class)
    ApplicationSecrets dispatcherApplicationSecrets(RegistryView view, SecretCipher cipher, Clock clock) {
        return application -> Mono.just(view.application(application)
                .map(app -> Credential.of(app, cipher, clock.instant()))
                .orElse(List.of()));
    }

    @Bean(destroyMethod = "close")
    WebhookSender webhookSender(DispatcherProperties properties) {
        // one generous pool: each subscription's in-flight cap, not the pool, bounds what a slow handler can hold
        ConnectionProvider pool = ConnectionProvider.builder("amebo-webhooks")
                .maxConnections(2048)
                .pendingAcquireMaxCount(-1)
                .build();
        // event loops of its own: deliveries neither share the server's loops nor depend on Reactor's global ones
        LoopResources loops = LoopResources.create(
                "amebo-webhooks", Math.max(2, Runtime.getRuntime().availableProcessors()), true);
        HttpClient http = HttpClient.create(pool)
                .runOn(loops)
                // one lookup per connection, checked, and the connection made to the checked address
                .resolver(new GuardedResolverGroup(properties.allowLoopback(), properties.allowPrivateAddresses()))
                .followRedirect(false)
                .responseTimeout(properties.requestTimeout());
        WebClient client = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(http))
                .defaultHeader(HttpHeaders.USER_AGENT, "Amebo-Dispatcher")
                .codecs(c -> c.defaultCodecs().maxInMemorySize(256 * 1024))
                .build();
        return new WebhookSender(
                client,
                properties.requestTimeout(),
                properties.allowPrivateAddresses(),
                properties.allowLoopback(),
                () -> {
                    pool.disposeLater().block(java.time.Duration.ofSeconds(5));
                    loops.disposeLater().block(java.time.Duration.ofSeconds(5));
                });
    }

    @Bean
    CircuitBreakerRegistry deliveryBreakers(DispatcherProperties properties) {
        return CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(Math.max(20, properties.breakerMinimumCalls()))
                .minimumNumberOfCalls(properties.breakerMinimumCalls())
                .failureRateThreshold(properties.breakerFailureRate())
                .waitDurationInOpenState(properties.breakerOpenFor())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
    }

    @Bean
    Deliverer deliverer(
            RegistryView view,
            SecretCipher cipher,
            WebhookSender sender,
            CircuitBreakerRegistry deliveryBreakers,
            JsonMapper json,
            Clock clock,
            MeterRegistry meters,
            DispatcherProperties properties) {
        return new Deliverer(
                view,
                cipher,
                sender,
                deliveryBreakers,
                json,
                clock,
                meters,
                properties.breakerOpenFor(),
                properties.rateLimitHorizon());
    }

    @Bean(destroyMethod = "close")
    Producer<String, byte[]> dispatcherProducer(KafkaProperties kafka) {
        Map<String, Object> producer = kafka.buildProducerProperties();
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "amebo-dispatcher");
        // linger 0, as the gateway's: a delivery is settled only once its gist is acknowledged, so Kafka's default
        // linger (5 ms) held every delivery's slot 5 ms longer and capped a subscription at ~64 slots / ~12 ms;
        // records that pile up behind in-flight requests are batched anyway
        producer.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(producer, new StringSerializer(), new ByteArraySerializer());
    }

    @Bean
    BackgroundMigration dispatcherSchema(Environment environment) {
        String url = environment.getProperty("spring.flyway.url");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("spring.flyway.url must name the PostgreSQL database (JDBC URL) that holds"
                    + " the delivery log, e.g. jdbc:postgresql://localhost:5432/amebo");
        }
        return new BackgroundMigration(
                "dispatcher",
                url,
                environment.getProperty("spring.flyway.user"),
                environment.getProperty("spring.flyway.password"));
    }

    @Bean
    GistLog gistLog(DatabaseClient db, BackgroundMigration dispatcherSchema) {
        return new GistLog(db, dispatcherSchema);
    }

    @Bean
    PatientProducer patientProducer(Producer<String, byte[]> dispatcherProducer, DispatcherProperties properties) {
        return new PatientProducer(dispatcherProducer, properties.sendBackoff(), properties.sendBackoffCap());
    }

    @Bean
    GistJournal gistJournal(PatientProducer patientProducer, KafkaNames names, JsonMapper json) {
        return new KafkaGistJournal(patientProducer, names.gistTopic(), json);
    }

    @Bean
    DeliveryExecutor deliveryExecutor(
            Deliverer deliverer,
            PatientProducer patientProducer,
            KafkaNames names,
            GistJournal gistJournal,
            RegistryView view,
            WebClient.Builder http,
            AuthProperties auth,
            Clock clock,
            MeterRegistry meters,
            DispatcherProperties properties) {
        WebClient registry = http.baseUrl(properties.registryUrl())
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + auth.adminToken())
                .build();
        DeliveryExecutor.SubscriptionPauser pauser = (subscription, reason) -> registry.patch()
                .uri("/v1/subscriptions/{name}", subscription)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("status", "paused", "paused_reason", reason))
                .retrieve()
                .toBodilessEntity()
                .timeout(properties.requestTimeout())
                .then();
        RetryPolicy retries =
                new RetryPolicy(properties.retryBase(), 2.0, properties.retryCap(), 0.1, properties.overloadFloor());
        return new DeliveryExecutor(
                deliverer,
                patientProducer,
                names,
                retries,
                gistJournal,
                pauser,
                view,
                clock,
                meters,
                properties.pausedRetryWait());
    }

    @Bean
    WorkerSettings workerSettings(DispatcherProperties properties) {
        return new WorkerSettings(properties.maxInFlight(), properties.shutdownGrace(), properties.commitInterval());
    }

    @Bean
    DeliverySupervisor deliverySupervisor(
            RegistryView view,
            KafkaNames names,
            KafkaProperties kafka,
            DeliveryExecutor executor,
            Deliverer deliverer,
            Clock clock,
            WorkerSettings workerSettings,
            GistLog gists,
            JsonMapper json,
            DispatcherProperties properties) {
        Map<String, Object> consumer = kafka.buildConsumerProperties();
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // a dispatcher that dies without leaving its groups holds its subscriptions' partitions until its session
        // expires: 10 s rather than Kafka's 45 s bounds how long their deliveries stall (override via spring.kafka)
        consumer.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        consumer.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
        // a dispatcher joining or leaving moves only the partitions that change hands: the others keep delivering,
        // and what they had in flight is not delivered twice
        consumer.putIfAbsent(
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        java.util.function.Function<String, Consumer<String, byte[]>> consumers = group -> {
            Map<String, Object> props = new java.util.HashMap<>(consumer);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        };
        return new DeliverySupervisor(
                view,
                names,
                consumers,
                () -> Admin.create(kafka.buildAdminProperties()),
                executor,
                deliverer,
                clock,
                workerSettings,
                properties.replicationFactor(),
                properties.retryRetention(),
                new GistWriter(names.gistTopic(), () -> consumers.apply(names.gistWriterGroup()), gists, json));
    }

    @Bean
    DeliveryHousekeeping deliveryHousekeeping(
            DeliverySupervisor supervisor,
            Deliverer deliverer,
            DeliveryExecutor executor,
            GistLog gists,
            KafkaNames names,
            KafkaProperties kafka,
            MeterRegistry meters,
            Clock clock,
            DispatcherProperties properties) {
        return new DeliveryHousekeeping(
                supervisor,
                deliverer,
                executor,
                gists,
                names,
                () -> Admin.create(kafka.buildAdminProperties()),
                meters,
                clock,
                properties.pauseAfter(),
                properties.gistRetention());
    }

    @Bean(destroyMethod = "close")
    ReplayRunner replayRunner(
            KafkaProperties kafka,
            DeliveryExecutor executor,
            Clock clock,
            WorkerSettings workerSettings,
            DispatcherProperties properties) {
        return new ReplayRunner(
                groupless(kafka),
                executor,
                clock,
                workerSettings,
                properties.maxReplays(),
                properties.maxReplaysPerSubscription());
    }

    @Bean
    RouterFunction<ServerResponse> replayRoutes(
            Authenticator authenticator, JsonBodies bodies, RegistryView view, ReplayRunner replays) {
        return ReplayRoutes.router(authenticator, bodies, view, replays);
    }

    @Bean
    RouterFunction<ServerResponse> gistRoutes(
            Authenticator authenticator,
            JsonBodies bodies,
            GistLog gists,
            RegistryView view,
            KafkaProperties kafka,
            DeliveryExecutor executor) {
        return GistRoutes.router(authenticator, bodies, gists, view, executor, groupless(kafka));
    }

    /** Consumers that read by manual assignment, outside any group, committing nothing. */
    private static Supplier<Consumer<String, byte[]>> groupless(KafkaProperties kafka) {
        Map<String, Object> reader = kafka.buildConsumerProperties();
        reader.remove(ConsumerConfig.GROUP_ID_CONFIG);
        reader.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        reader.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return () -> new KafkaConsumer<>(reader, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
