package io.amebo.dispatcher;

import io.amebo.contract.EventHeaders;
import io.amebo.contract.EventId;
import io.amebo.contract.registry.ActionState;
import io.amebo.contract.registry.ApplicationState;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.platform.auth.SecretCipher;
import io.amebo.testkit.OwnNettyResources;
import io.amebo.testkit.RealInfrastructureExtension;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.SharedPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the dispatcher reads, written the way the registry and the gateway write it: entity states on a
 * registry changelog and events on action topics, under a topic prefix of the test's own, on the real broker.
 */
public final class Fixtures implements AutoCloseable {

    public static final String ADMIN = "Bearer test-admin-token-0123456789";
    static final SecretCipher CIPHER = SecretCipher.fromBase64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SharedKafka kafka;
    private final String prefix;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, String> owners = new java.util.concurrent.ConcurrentHashMap<>();

    public Fixtures(SharedKafka kafka) {
        this.kafka = kafka;
        this.prefix = SharedKafka.uniqueName("disp");
        this.producer = new KafkaProducer<>(kafka.producerProperties());
        kafka.createTopic(prefix + ".registry", 1);
    }

    public String prefix() {
        return prefix;
    }

    /** Starts a dispatcher on this fixture's topics and the shared database. */
    public ConfigurableApplicationContext dispatcher(String... args) {
        SharedPostgres.Database database = RealInfrastructureExtension.springDatabase();
        List<String> all = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.profiles.active=test",
                "--amebo.kafka.topic-prefix=" + prefix,
                "--spring.r2dbc.url=" + database.r2dbcUrl(),
                "--spring.flyway.url=" + database.jdbcUrl()));
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(DispatcherApplication.class, OwnNettyResources.class)
                .run(all.toArray(String[]::new));
    }

    public static String url(ConfigurableApplicationContext context) {
        return "http://localhost:"
                + ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** The applications and action most delivery tests start with. */
    public record Scenario(String owner, String subscriber, String action) {}

    /**
     * Registers an owner application, a subscriber whose address is {@code subscriberAddress} and whose secret is
     * {@code subscriberSecret}, and an action of the owner named after {@code action} with {@code partitions}.
     */
    public Scenario scenario(String action, String subscriberAddress, String subscriberSecret, int partitions) {
        Scenario scenario = new Scenario(
                SharedKafka.uniqueName("owner"), SharedKafka.uniqueName("subscriber"), SharedKafka.uniqueName(action));
        application(scenario.owner(), "https://owner.example.com", "owner-secret-0123456789");
        application(scenario.subscriber(), subscriberAddress, subscriberSecret);
        action(scenario.action(), scenario.owner(), partitions);
        return scenario;
    }

    public void application(String name, String address, String secret) {
        changelog(
                "application/" + name,
                new ApplicationState(
                        name,
                        address,
                        List.of(new ApplicationState.SealedSecret(CIPHER.seal(secret, name), null)),
                        Instant.now()));
    }

    public void action(String name, String owner, int partitions) {
        String topic = prefix + "." + name;
        try (var admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)
                            .configs(Map.of("message.timestamp.type", "LogAppendTime"))))
                    .all()
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        owners.put(name, owner);
        changelog(
                "action/" + name,
                new ActionState(
                        name,
                        owner,
                        topic,
                        1,
                        JSON.readTree("{}"),
                        partitions,
                        "PT168H",
                        null,
                        "backward",
                        null,
                        Instant.now(),
                        null));
    }

    public SubscriptionState subscription(
            String name, String application, String action, String handler, int maxRetries, boolean ordered) {
        return subscription(name, application, action, handler, maxRetries, ordered, null);
    }

    /** A new subscription (a fresh identity) as the registry publishes it. */
    public SubscriptionState subscription(
            String name,
            String application,
            String action,
            String handler,
            int maxRetries,
            boolean ordered,
            Integer rateLimit) {
        return subscription(new SubscriptionState(
                name,
                application,
                action,
                handler,
                maxRetries,
                ordered,
                rateLimit,
                null,
                SubscriptionState.ACTIVE,
                null,
                Instant.now(),
                UUID.randomUUID().toString(),
                null,
                null));
    }

    /** Publishes a subscription's state as given. */
    public SubscriptionState subscription(SubscriptionState state) {
        changelog("subscription/" + state.subscription(), state);
        return state;
    }

    /** The same subscription, paused or resumed. */
    public SubscriptionState status(SubscriptionState state, String status) {
        return subscription(new SubscriptionState(
                state.subscription(),
                state.application(),
                state.action(),
                state.handler(),
                state.maxRetries(),
                state.ordered(),
                state.rateLimit(),
                state.description(),
                status,
                status.equals(SubscriptionState.PAUSED) ? "paused by a test" : null,
                state.timestamped(),
                state.id(),
                state.filter(),
                state.backfillFrom()));
    }

    public void changelog(String key, Object state) {
        send(new ProducerRecord<>(prefix + ".registry", key, state == null ? null : JSON.writeValueAsBytes(state)));
    }

    /** Publishes an event as the gateway does; returns its id. */
    public String publish(String action, String key, String payload) {
        return publish(action, key, payload, null);
    }

    public String publish(String action, String key, String payload, Instant notBefore) {
        RecordHeaders headers = new RecordHeaders();
        add(headers, EventHeaders.SPEC_VERSION, "1.0");
        add(headers, EventHeaders.ID, UUID.randomUUID().toString());
        add(headers, EventHeaders.SOURCE, EventHeaders.source(owners.get(action)));
        add(headers, EventHeaders.TYPE, action);
        add(headers, EventHeaders.CONTENT_TYPE, EventHeaders.JSON);
        if (notBefore != null) {
            add(headers, EventHeaders.NOT_BEFORE, notBefore.toString());
        }
        RecordMetadata metadata = send(new ProducerRecord<>(
                prefix + "." + action, null, null, key, payload.getBytes(StandardCharsets.UTF_8), headers));
        return new EventId(action, metadata.partition(), metadata.offset()).encode();
    }

    private RecordMetadata send(ProducerRecord<String, byte[]> record) {
        try {
            return producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        producer.close();
    }
}
