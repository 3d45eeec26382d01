package io.amebo.client;

import static io.amebo.client.FakeAmebo.Response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventReadingTest {

    private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-02-01T00:00:00Z");

    private FakeAmebo amebo;
    private final TestClients clients = new TestClients();
    private AmeboClient client;

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
    void readsTheNextPageOnlyWhenTheStreamGetsToIt() {
        amebo.on(
                "GET",
                "/v1/events",
                request -> request.param("cursor") == null
                        ? Response.json(200, "[" + event("e1", 0) + "," + event("e2", 1) + "]")
                                .with("X-Next-Cursor", "c-1")
                                .with("Link", "</v1/events?cursor=c-1>; rel=\"next\"")
                        : Response.json(200, "[" + event("e3", 2) + "]"));

        Iterator<Event> events = client.getEvents("user.created", FROM, TO).iterator();
        assertThat(pages()).hasSize(1); // the first page is read at the call

        assertThat(events.next().id()).isEqualTo("e1");
        assertThat(events.next().id()).isEqualTo("e2");
        assertThat(pages()).hasSize(1); // the first page is not used up yet

        assertThat(events.next().id()).isEqualTo("e3");
        assertThat(events.hasNext()).isFalse();
        assertThat(pages()).hasSize(2);

        FakeAmebo.Request first = pages().get(0);
        FakeAmebo.Request second = pages().get(1);
        assertThat(first.params())
                .containsEntry("action", List.of("user.created"))
                .containsEntry("from", List.of("2026-01-01T00:00:00Z"))
                .containsEntry("to", List.of("2026-02-01T00:00:00Z"))
                .containsEntry("limit", List.of("100"))
                .doesNotContainKey("cursor");
        assertThat(second.params())
                .containsEntry("action", List.of("user.created"))
                .containsEntry("from", List.of("2026-01-01T00:00:00Z"))
                .containsEntry("to", List.of("2026-02-01T00:00:00Z"))
                .containsEntry("limit", List.of("100"))
                .containsEntry("cursor", List.of("c-1"));
    }

    @Test
    void aStreamNotConsumedPastItsFirstPageReadsNoMore() {
        amebo.answer(
                "GET",
                "/v1/events",
                Response.json(200, "[" + event("e1", 0) + "," + event("e2", 1) + "]")
                        .with("X-Next-Cursor", "c-1"));

        List<String> firstOne = client.getEvents("user.created", FROM, TO)
                .limit(1)
                .map(Event::id)
                .toList();

        assertThat(firstOne).containsExactly("e1");
        assertThat(pages()).hasSize(1);
    }

    @Test
    void readsEveryReadableActionWhenNoneIsNamed() {
        amebo.answer("GET", "/v1/events", Response.json(200, "[" + event("e1", 0) + "]"));

        List<Event> events = client.getEvents(FROM, TO).toList();

        assertThat(events).extracting(Event::id).containsExactly("e1");
        assertThat(pages().get(0).params()).doesNotContainKey("action").containsKeys("from", "to");
    }

    @Test
    void namesSeveralActionsAsRepeatedParameters() {
        amebo.answer("GET", "/v1/events", Response.json(200, "[]"));

        client.getEvents(List.of("user.created", "order.placed"), FROM, TO).toList();

        assertThat(pages().get(0).params()).containsEntry("action", List.of("user.created", "order.placed"));
    }

    @Test
    void pinsAnOpenEndToTheStartOfTheReadSoEveryPageReadsOneRange() {
        amebo.on(
                "GET",
                "/v1/events",
                request -> request.param("cursor") == null
                        ? Response.json(200, "[" + event("e1", 0) + "]").with("X-Next-Cursor", "c-1")
                        : Response.json(200, "[" + event("e2", 1) + "]"));

        Stream<Event> events = client.getEvents("user.created", FROM, null);
        clients.clock.advance(java.time.Duration.ofMinutes(5)); // time passes while the stream is consumed
        assertThat(events.map(Event::id).toList()).containsExactly("e1", "e2");

        String pinned = TestClients.T0.plusMillis(1).toString();
        assertThat(pages()).extracting(r -> r.param("to")).containsExactly(pinned, pinned);
    }

    @Test
    void readsEveryMemberOfAnEvent() {
        amebo.answer("GET", "/v1/events/AQAB", Response.json(200, """
                        {"id":"AQAB","action":"user.created","application":"user-service",
                         "payload":{"user_id":"u1","tags":[1,2]},"deduper":"d-1","key":"u1",
                         "timestamped":"2026-01-01T00:00:00.123Z","partition":2,"offset":41,
                         "schema_version":3,"sleep_until":"2026-01-01T01:00:00Z","added_later":true}
                        """));

        Event event = client.getEvent("AQAB");

        assertThat(event.application()).isEqualTo("user-service");
        assertThat(event.payload().path("user_id").asString()).isEqualTo("u1");
        assertThat(event.payload().path("tags").size()).isEqualTo(2);
        assertThat(event.deduper()).isEqualTo("d-1");
        assertThat(event.key()).isEqualTo("u1");
        assertThat(event.timestamped()).isEqualTo(Instant.parse("2026-01-01T00:00:00.123Z"));
        assertThat(event.partition()).isEqualTo(2);
        assertThat(event.offset()).isEqualTo(41);
        assertThat(event.schemaVersion()).isEqualTo(3);
        assertThat(event.sleepUntil()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
    }

    @Test
    void aRefusedReadFailsAtTheCallNotInThePipeline() {
        amebo.answer(
                "GET",
                "/v1/events",
                Response.problem(403, "{\"title\":\"Forbidden\",\"status\":403,\"detail\":\"not yours\"}"));

        assertThatThrownBy(() -> client.getEvents("order.placed", FROM, TO))
                .isInstanceOfSatisfying(
                        AmeboApiException.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    private List<FakeAmebo.Request> pages() {
        return amebo.requests("GET", "/v1/events");
    }

    private static String event(String id, long offset) {
        return "{\"id\":\"" + id + "\",\"action\":\"user.created\",\"application\":\"user-service\","
                + "\"payload\":{\"n\":" + offset + "},\"timestamped\":\"2026-01-01T00:00:0" + offset + "Z\","
                + "\"partition\":0,\"offset\":" + offset + "}";
    }
}
