package io.amebo.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.contract.EventId;
import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.RealInfrastructureExtension;
import io.amebo.testkit.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/** Publishing (DESIGN §3, §4, §6.1, §6.3): what a 2xx puts on the topic, and that a 4xx puts nothing there. */
@RealInfrastructure
class PublishIT {

    static final String USER_CREATED = """
            {"type": "object",
             "properties": {
               "user_id": {"type": "string"},
               "email": {"type": "string", "format": "email"},
               "name": {"type": "string"},
               "plan": {"type": "string", "enum": ["free", "premium"]}},
             "required": ["user_id", "email", "name"]}""";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ConfigurableApplicationContext gateway;
    private static Client registry;
    private static Client events;

    private String owner;
    private String ownerAuth;
    private String action;

    @BeforeAll
    static void start() {
        ConfigurableApplicationContext registryContext = Services.sharedRegistry();
        gateway = Services.gateway(Services.url(registryContext), RealInfrastructureExtension.springDatabase());
        registry = new Client(Services.url(registryContext));
        events = new Client(Services.url(gateway));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @BeforeEach
    void registerAnAction() {
        owner = SharedKafka.uniqueName("publisher");
        ownerAuth = registry.application(owner);
        action = SharedKafka.uniqueName("user.created");
        registry.action(action, owner, USER_CREATED, "\"partition_key\":\"/user_id\"");
    }

    @Test
    void appendsRightAfterRegistrationWithTheDocumentedKeyAndHeaders(SharedKafka kafka) {
        Instant before = Instant.now().minusSeconds(1);

        PublishResult published = publish(
                "{\"action\":\"%s\",\"payload\":{\"user_id\":\"u1\",\"email\":\"a@b.co\",\"name\":\"A\",\"plan\":\"free\"},\"deduper\":\"d-1\",\"sleep_until\":30}"
                        .formatted(action));

        ConsumerRecord<String, byte[]> record = only(kafka, "amebo." + action);
        assertThat(record.key()).isEqualTo("u1");
        assertThat(JSON.readTree(record.value()))
                .isEqualTo(JSON.readTree("{\"user_id\":\"u1\",\"email\":\"a@b.co\",\"name\":\"A\",\"plan\":\"free\"}"));
        Map<String, String> headers = headers(record);
        assertThat(headers)
                .containsEntry("ce_specversion", "1.0")
                .containsEntry("ce_source", "/applications/" + owner)
                .containsEntry("ce_type", action)
                .containsEntry("content-type", "application/json")
                .containsEntry("amebo_deduper", "d-1")
                .containsEntry("amebo_schema_version", "1")
                .containsEntry("ce_dataschema", "http://localhost:3310/v1/actions/" + action + "/schemata/1")
                .containsKeys("ce_id", "ce_time", "amebo_not_before", "amebo_correlation_id");
        assertThat(Instant.parse(headers.get("amebo_not_before")))
                .isAfter(Instant.now().plusSeconds(20));
        assertThat(published.id()).isEqualTo(new EventId(action, record.partition(), record.offset()).encode());
        assertThat(published.partition()).isEqualTo(record.partition());
        assertThat(published.offset()).isEqualTo(record.offset());
        assertThat(Instant.parse(published.timestamped()))
                .isAfter(before)
                .isEqualTo(Instant.ofEpochMilli(record.timestamp()));
    }

    @Test
    void keysByTheEventsOwnKeyOverThePartitionKey(SharedKafka kafka) {
        publish(
                "{\"action\":\"%s\",\"key\":\"k-9\",\"payload\":{\"user_id\":\"u2\",\"email\":\"a@b.co\",\"name\":\"A\"}}"
                        .formatted(action));

        assertThat(only(kafka, "amebo." + action).key()).isEqualTo("k-9");
    }

    @Test
    void refusesAnInvalidPayloadNamingEveryViolationAndAppendsNothing(SharedKafka kafka) {
        events.post(
                        "/v1/events",
                        ownerAuth,
                        "{\"action\":\"%s\",\"payload\":{\"user_id\":7,\"email\":\"nope\",\"plan\":\"gold\"}}"
                                .formatted(action))
                .expectStatus()
                .isEqualTo(422)
                .expectHeader()
                .contentType("application/problem+json")
                .expectBody()
                .jsonPath("$.errors[?(@.pointer == '/payload/user_id')]")
                .exists()
                .jsonPath("$.errors[?(@.pointer == '/payload/email')]")
                .exists()
                .jsonPath("$.errors[?(@.pointer == '/payload/plan')]")
                .exists();

        assertThat(all(kafka, "amebo." + action)).isEmpty();
    }

    @Test
    void onlyTheOwnerPublishesAnAction(SharedKafka kafka) {
        String stranger = registry.application(SharedKafka.uniqueName("stranger"));

        events.post(
                        "/v1/events",
                        stranger,
                        "{\"action\":\"%s\",\"payload\":{\"user_id\":\"u\",\"email\":\"a@b.co\",\"name\":\"A\"}}"
                                .formatted(action))
                .expectStatus()
                .isForbidden();
        events.post(
                        "/v1/events",
                        Client.basic(owner, "wrong-secret-0000000"),
                        "{\"action\":\"%s\",\"payload\":{\"user_id\":\"u\",\"email\":\"a@b.co\",\"name\":\"A\"}}"
                                .formatted(action))
                .expectStatus()
                .isUnauthorized();
        events.post(
                        "/v1/events",
                        ownerAuth,
                        "{\"action\":\"%s\",\"payload\":{}}".formatted(SharedKafka.uniqueName("no.such.action")))
                .expectStatus()
                .isNotFound();

        assertThat(all(kafka, "amebo." + action)).isEmpty();
    }

    @Test
    void theAdminAndTokensPublishToo(SharedKafka kafka) {
        String token = registry.post(
                        "/v1/tokens",
                        null,
                        "{\"application\":\"%s\",\"secret\":\"%s-secret-0123456789\"}".formatted(owner, owner))
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody()
                .get("token")
                .toString();

        publishAs(
                "Bearer " + token,
                "{\"action\":\"%s\",\"payload\":{\"user_id\":\"u\",\"email\":\"a@b.co\",\"name\":\"A\"}}"
                        .formatted(action));
        publishAs(
                Services.ADMIN,
                "{\"action\":\"%s\",\"payload\":{\"user_id\":\"v\",\"email\":\"a@b.co\",\"name\":\"B\"}}"
                        .formatted(action));

        assertThat(all(kafka, "amebo." + action)).hasSize(2);
    }

    @Test
    void answersHealthAndExposesPublishMetrics() {
        publish("{\"action\":\"%s\",\"payload\":{\"user_id\":\"u\",\"email\":\"a@b.co\",\"name\":\"A\"}}"
                .formatted(action));
        events.post("/v1/events", ownerAuth, "{\"action\":\"%s\",\"payload\":{}}".formatted(action))
                .expectStatus()
                .isEqualTo(422);

        events.get("/health", null)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP")
                .jsonPath("$.components.kafka.status")
                .isEqualTo("UP")
                .jsonPath("$.components.r2dbc.status")
                .isEqualTo("UP")
                .jsonPath("$.components.diskSpace.status")
                .isEqualTo("UP");
        events.get("/health/ready", null).expectStatus().isOk();
        events.get("/metrics", null)
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(body -> assertThat(body)
                        .contains("amebo_events_published_total{action=\"" + action + "\",service=\"gateway\"}")
                        .contains("amebo_events_rejected_total{reason=\"invalid\",service=\"gateway\"}")
                        .contains("amebo_publish_latency_seconds_bucket"));
    }

    record PublishResult(String id, String action, String timestamped, int partition, long offset) {}

    private PublishResult publish(String body) {
        return publishAs(ownerAuth, body);
    }

    private PublishResult publishAs(String authorization, String body) {
        return events.post("/v1/events", authorization, body)
                .expectStatus()
                .isCreated()
                .expectHeader()
                .exists("Location")
                .expectBody(PublishResult.class)
                .returnResult()
                .getResponseBody();
    }

    static ConsumerRecord<String, byte[]> only(SharedKafka kafka, String topic) {
        List<ConsumerRecord<String, byte[]>> records = all(kafka, topic);
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    /** Everything on the topic right now, read from the beginning to the end offsets. */
    static List<ConsumerRecord<String, byte[]>> all(SharedKafka kafka, String topic) {
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(kafka.consumerProperties(SharedKafka.uniqueName("check")))) {
            var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return records;
        }
    }

    static Map<String, String> headers(ConsumerRecord<String, byte[]> record) {
        Map<String, String> headers = new TreeMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }
}
