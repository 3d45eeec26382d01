package io.amebo.client;

import static io.amebo.client.FakeAmebo.Response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.util.RawValue;

class PublishingTest {

    private static final String APPENDED = """
            {"id":"AQAB","action":"user.created","timestamped":"2026-03-01T12:00:00.5Z","partition":1,"offset":7,
             "deduper":"user-u1-created"}""";
    private static final String UNAVAILABLE =
            "{\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"Kafka did not acknowledge in time\"}";

    private FakeAmebo amebo;
    private final TestClients clients = new TestClients();
    private AmeboClient client;

    record User(String userId, String email, String name) {}

    @BeforeEach
    void start() throws Exception {
        amebo = new FakeAmebo();
        client = clients.application(amebo);
    }

    @AfterEach
    void stop() {
        amebo.close();
    }

    @Test
    void sendsTheActionPayloadAndOptionsAndReadsWhereTheEventLives() {
        amebo.answer("POST", "/v1/events", Response.json(201, APPENDED));

        Published published = client.publishEvent(
                "user.created",
                Map.of("user_id", "u1", "email", "ada@example.com", "name", "Ada"),
                PublishOptions.NONE
                        .withDeduper("user-u1-created")
                        .withKey("u1")
                        .withSleepUntil(Instant.parse("2026-03-02T00:00:00Z"))
                        .withRequestId("req-42"));

        assertThat(published)
                .isEqualTo(new Published(
                        "AQAB",
                        "user.created",
                        Instant.parse("2026-03-01T12:00:00.5Z"),
                        1,
                        7,
                        "user-u1-created",
                        false));
        FakeAmebo.Request sent = amebo.requests("POST", "/v1/events").get(0);
        JsonNode body = sent.json();
        assertThat(body.path("action").asString()).isEqualTo("user.created");
        assertThat(body.path("payload").path("email").asString()).isEqualTo("ada@example.com");
        assertThat(body.path("deduper").asString()).isEqualTo("user-u1-created");
        assertThat(body.path("key").asString()).isEqualTo("u1");
        assertThat(body.path("sleep_until").asString()).isEqualTo("2026-03-02T00:00:00Z");
        assertThat(sent.header("X-Request-Id")).isEqualTo("req-42");
        assertThat(sent.header("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void writesARecordPayloadWithJacksonAndADelayInSeconds() {
        amebo.answer("POST", "/v1/events", Response.json(201, APPENDED));

        client.publishEvent(
                "user.created",
                new User("u1", "ada@example.com", "Ada"),
                PublishOptions.NONE.withSleepFor(Duration.ofMillis(1500)));

        JsonNode body = amebo.requests("POST", "/v1/events").get(0).json();
        assertThat(body.path("payload").path("userId").asString()).isEqualTo("u1");
        assertThat(body.path("sleep_until").isNumber()).isTrue();
        assertThat(body.path("sleep_until").decimalValue()).isEqualByComparingTo("1.5");
        assertThat(body.has("deduper")).isFalse();
    }

    @Test
    void aStringPayloadIsAJsonStringWhileRawJsonIsSentAsItIs() {
        amebo.answer("POST", "/v1/events", Response.json(201, APPENDED));

        client.publishEvent("user.created", "{\"user_id\":\"u1\"}");
        client.publishEvent("user.created", new RawValue("{\"user_id\":\"u1\"}"));

        List<FakeAmebo.Request> sent = amebo.requests("POST", "/v1/events");
        assertThat(sent.get(0).json().path("payload").isString()).isTrue();
        assertThat(sent.get(1).json().path("payload").path("user_id").asString())
                .isEqualTo("u1");
    }

    @Test
    void aRepeatedDeduperIsADuplicateOfTheFirstEvent() {
        amebo.answer("POST", "/v1/events", Response.json(200, APPENDED));

        Published published = client.publishEvent(
                "user.created", Map.of("user_id", "u1"), PublishOptions.NONE.withDeduper("user-u1-created"));

        assertThat(published.duplicate()).isTrue();
        assertThat(published.id()).isEqualTo("AQAB");
    }

    @Test
    void aPublishWithoutDeduperIsNeverSentTwiceAfterA503() {
        amebo.answer(
                "POST",
                "/v1/events",
                Response.problem(503, UNAVAILABLE).with("Retry-After", "1"),
                Response.json(201, APPENDED));

        assertThatThrownBy(() -> client.publishEvent("user.created", Map.of("user_id", "u1")))
                .isInstanceOfSatisfying(AmeboApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
                });
        assertThat(amebo.requests("POST", "/v1/events")).hasSize(1);
        assertThat(clients.sleeps).isEmpty();
    }

    @Test
    void aPublishWithoutDeduperIsNotSentTwiceAfterA429Either() {
        amebo.answer(
                "POST",
                "/v1/events",
                Response.problem(429, "{\"status\":429}").with("Retry-After", "1"),
                Response.json(201, APPENDED));

        assertThatThrownBy(() -> client.publishEvent("user.created", Map.of("user_id", "u1")))
                .isInstanceOf(AmeboApiException.class);
        assertThat(amebo.requests("POST", "/v1/events")).hasSize(1);
    }

    @Test
    void aPublishWithDeduperIsSentAgainAfterA503AsRetryAfterSays() {
        amebo.answer(
                "POST",
                "/v1/events",
                Response.problem(503, UNAVAILABLE).with("Retry-After", "2"),
                Response.json(200, APPENDED));

        Published published = client.publishEvent(
                "user.created", Map.of("user_id", "u1"), PublishOptions.NONE.withDeduper("user-u1-created"));

        assertThat(published.duplicate()).isTrue(); // the first send had been appended after all
        assertThat(amebo.requests("POST", "/v1/events")).hasSize(2);
        assertThat(amebo.requests("POST", "/v1/events"))
                .extracting(r -> r.json().path("deduper").asString())
                .containsExactly("user-u1-created", "user-u1-created");
        assertThat(clients.sleeps).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void aBatchReadsOneResultPerEventInOrder() {
        amebo.answer("POST", "/v1/events/batch", Response.json(207, """
                        {"results":[
                          {"index":0,"status":201,"id":"E0","action":"user.created","timestamped":"2026-03-01T12:00:00Z","partition":0,"offset":1},
                          {"index":1,"status":422,"error":"the payload does not match","errors":[{"pointer":"/payload/email","message":"is not an email"}]},
                          {"index":2,"status":200,"id":"E9","action":"user.created","timestamped":"2026-02-01T00:00:00Z","partition":0,"offset":0,"deduper":"d-2"}
                        ],"appended":2,"failed":1}"""));

        BatchResult result = client.publishBatch(
                List.of(
                        BatchEvent.of("user.created", Map.of("user_id", "u1")),
                        BatchEvent.of("user.created", Map.of("email", "nope")),
                        BatchEvent.of("user.created", Map.of("user_id", "u2"), PublishOptions.NONE.withDeduper("d-2"))),
                "batch-1");

        assertThat(result.appended()).isEqualTo(2);
        assertThat(result.failed()).isEqualTo(1);
        assertThat(result.deduplicated()).isEqualTo(1); // counted from the results: this gateway does not send it
        assertThat(result.allAccepted()).isFalse();
        assertThat(result.published()).extracting(Published::id).containsExactly("E0", "E9");
        assertThat(result.published()).extracting(Published::duplicate).containsExactly(false, true);
        BatchResult.Rejected rejected = result.rejected().get(0);
        assertThat(rejected.index()).isEqualTo(1);
        assertThat(rejected.problem().status()).isEqualTo(422);
        assertThat(rejected.problem().detail()).isEqualTo("the payload does not match");
        assertThat(rejected.problem().errors())
                .extracting(e -> e.pointer() + " " + e.message())
                .containsExactly("/payload/email is not an email");

        FakeAmebo.Request sent = amebo.requests("POST", "/v1/events/batch").get(0);
        assertThat(sent.header("X-Request-Id")).isEqualTo("batch-1");
        assertThat(sent.json().size()).isEqualTo(3);
        assertThat(sent.json().get(2).path("deduper").asString()).isEqualTo("d-2");
        assertThat(sent.json().get(0).has("deduper")).isFalse();
    }

    @Test
    void aBatchReadsTheDeduplicatedCountWhenTheGatewaySendsIt() {
        amebo.answer(
                "POST",
                "/v1/events/batch",
                Response.json(200, "{\"results\":[],\"appended\":0,\"failed\":0,\"deduplicated\":5}"));

        BatchResult result = client.publishBatch(List.of(BatchEvent.of("user.created", Map.of())));

        assertThat(result.deduplicated()).isEqualTo(5);
    }

    @Test
    void aBatchOfWhichNothingWasAppendedIsAnAnswerNotAnException() {
        amebo.answer(
                "POST",
                "/v1/events/batch",
                Response.json(
                        422,
                        "{\"results\":[{\"index\":0,\"status\":404,\"error\":\"no action named x\"}],"
                                + "\"appended\":0,\"failed\":1}"));

        BatchResult result = client.publishBatch(List.of(BatchEvent.of("x", Map.of())));

        assertThat(result.rejected())
                .singleElement()
                .satisfies(r -> assertThat(r.problem().status()).isEqualTo(404));
    }

    @Test
    void aBatchRefusedAsAWholeIsThrown() {
        amebo.answer(
                "POST",
                "/v1/events/batch",
                Response.problem(413, "{\"title\":\"Content Too Large\",\"status\":413,\"detail\":\"at most 1000\"}"));

        assertThatThrownBy(() -> client.publishBatch(List.of(BatchEvent.of("user.created", Map.of()))))
                .isInstanceOfSatisfying(
                        AmeboApiException.class, e -> assertThat(e.status()).isEqualTo(413));
    }

    @Test
    void aBatchIsSentAgainAfterA503OnlyWhenEveryEventHasADeduper() {
        String unavailable = "{\"results\":[{\"index\":0,\"status\":503,\"error\":\"Kafka did not answer\"},"
                + "{\"index\":1,\"status\":503,\"error\":\"Kafka did not answer\"}],\"appended\":0,\"failed\":2}";
        String appended = "{\"results\":[{\"index\":0,\"status\":201,\"id\":\"E0\"},{\"index\":1,\"status\":201,"
                + "\"id\":\"E1\"}],\"appended\":2,\"failed\":0}";
        amebo.answer(
                "POST",
                "/v1/events/batch",
                Response.json(503, unavailable).with("Retry-After", "1"),
                Response.json(200, appended));

        BatchResult partlyDeduplicated = client.publishBatch(List.of(
                BatchEvent.of("user.created", Map.of(), PublishOptions.NONE.withDeduper("d-1")),
                BatchEvent.of("user.created", Map.of())));

        assertThat(partlyDeduplicated.failed()).isEqualTo(2);
        assertThat(amebo.requests("POST", "/v1/events/batch")).hasSize(1);

        amebo.answer(
                "POST",
                "/v1/events/batch",
                Response.json(503, unavailable).with("Retry-After", "1"),
                Response.json(200, appended));
        BatchResult allDeduplicated = client.publishBatch(List.of(
                BatchEvent.of("user.created", Map.of(), PublishOptions.NONE.withDeduper("d-1")),
                BatchEvent.of("user.created", Map.of(), PublishOptions.NONE.withDeduper("d-2"))));

        assertThat(allDeduplicated.allAccepted()).isTrue();
        assertThat(amebo.requests("POST", "/v1/events/batch")).hasSize(3);
        assertThat(clients.sleeps).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void aBatchEventCannotCarryItsOwnRequestId() {
        assertThatThrownBy(() -> BatchEvent.of("user.created", Map.of(), PublishOptions.NONE.withRequestId("r")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
