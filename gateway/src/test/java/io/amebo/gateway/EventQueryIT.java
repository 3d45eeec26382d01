package io.amebo.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.RealInfrastructureExtension;
import io.amebo.testkit.SharedKafka;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reading events back from Kafka: by id, and by time range page after page or streamed (DESIGN §4). */
@RealInfrastructure
class EventQueryIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int EVENTS = 40;

    private static ConfigurableApplicationContext gateway;
    private static Client registry;
    private static Client events;
    private static String owner;
    private static String ownerAuth;
    private static String action;
    private static final List<Published> published = new ArrayList<>();

    record Published(String id, String timestamped, int partition, long offset) {
        Instant time() {
            return Instant.parse(timestamped);
        }
    }

    @BeforeAll
    static void publishAcrossPartitions() {
        ConfigurableApplicationContext registryContext = Services.sharedRegistry();
        gateway = Services.gateway(Services.url(registryContext), RealInfrastructureExtension.springDatabase());
        registry = new Client(Services.url(registryContext));
        events = new Client(Services.url(gateway));
        owner = SharedKafka.uniqueName("reader");
        ownerAuth = registry.application(owner);
        action = SharedKafka.uniqueName("order.placed");
        registry.action(action, owner, "{\"type\":\"object\"}", "\"partitions\":4");
        for (int i = 0; i < EVENTS; i++) {
            published.add(events.post(
                            "/v1/events",
                            ownerAuth,
                            "{\"action\":\"%s\",\"key\":\"k%d\",\"payload\":{\"n\":%d}}".formatted(action, i % 7, i))
                    .expectStatus()
                    .isCreated()
                    .expectBody(Published.class)
                    .returnResult()
                    .getResponseBody());
        }
        assertThat(published.stream().map(Published::partition).distinct().count())
                .isGreaterThan(1);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void findsEveryEventByTheIdItsPublishReturned() {
        for (Published p : published) {
            events.get("/v1/events/" + p.id(), ownerAuth)
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .jsonPath("$.id")
                    .isEqualTo(p.id())
                    .jsonPath("$.action")
                    .isEqualTo(action)
                    .jsonPath("$.application")
                    .isEqualTo(owner)
                    .jsonPath("$.partition")
                    .isEqualTo(p.partition())
                    .jsonPath("$.offset")
                    .isEqualTo(p.offset())
                    .jsonPath("$.payload.n")
                    .exists();
        }
        events.get("/v1/events/not-an-id", ownerAuth).expectStatus().isNotFound();
        // who is asking comes first: without a credential, not even a malformed id is judged
        events.http()
                .get()
                .uri("/v1/events/not-an-id")
                .exchange()
                .expectStatus()
                .isUnauthorized();
    }

    @Test
    void returnsExactlyTheEventsInTheWindowInTimeOrderPageAfterPage() {
        List<Published> sorted = inTimeOrder();
        Instant from = sorted.get(5).time();
        Instant to = sorted.get(EVENTS - 5).time();
        List<String> expected = sorted.stream()
                .filter(p -> !p.time().isBefore(from) && p.time().isBefore(to))
                .map(Published::id)
                .toList();

        List<String> seen = new ArrayList<>();
        String next = "/v1/events?action=" + action + "&from=" + from + "&to=" + to + "&limit=7";
        int pages = 0;
        while (next != null) {
            EntityExchangeResult<byte[]> page = events.get(next, ownerAuth)
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .returnResult();
            JsonNode body = JSON.readTree(page.getResponseBody());
            assertThat(body.size()).isLessThanOrEqualTo(7);
            body.forEach(e -> seen.add(e.path("id").asString()));
            String link = page.getResponseHeaders().getFirst(HttpHeaders.LINK);
            next = link == null ? null : link.substring(1, link.indexOf('>'));
            pages++;
        }

        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isGreaterThan(2);
    }

    @Test
    void streamsAWholeRangeAsNdjson() {
        List<Published> sorted = inTimeOrder();
        Instant from = sorted.get(0).time();
        Instant to = sorted.get(EVENTS - 1).time().plusMillis(1);

        String ndjson = events.http()
                .get()
                .uri("/v1/events?action=" + action + "&from=" + from + "&to=" + to)
                .header(HttpHeaders.AUTHORIZATION, ownerAuth)
                .accept(MediaType.parseMediaType("application/x-ndjson"))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();

        List<String> ids = ndjson.lines()
                .filter(l -> !l.isBlank())
                .map(l -> JSON.readTree(l).path("id").asString())
                .toList();
        assertThat(ids)
                .containsExactlyElementsOf(sorted.stream().map(Published::id).toList());
    }

    @Test
    void letsSubscribersReadButNotStrangers() {
        String subscriber = SharedKafka.uniqueName("subscriber");
        String subscriberAuth = registry.application(subscriber);
        registry.subscribe(subscriber, SharedKafka.uniqueName("sub"), action);
        String strangerAuth = registry.application(SharedKafka.uniqueName("stranger"));

        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> events.get("/v1/events/" + published.get(0).id(), subscriberAuth)
                        .expectStatus()
                        .isOk());
        events.get("/v1/events/" + published.get(0).id(), strangerAuth)
                .expectStatus()
                .isForbidden();
        events.get("/v1/events?action=" + action, strangerAuth).expectStatus().isForbidden();
    }

    @Test
    void anActionsOwnerDecidesWhoMayReadIt() {
        String listed = SharedKafka.uniqueName("listed");
        String listedAuth = registry.application(listed);
        String unlisted = SharedKafka.uniqueName("unlisted");
        String unlistedAuth = registry.application(unlisted);
        String closed = SharedKafka.uniqueName("closed.read");
        registry.action(closed, owner, "{\"type\":\"object\"}", "\"subscribers\":[\"%s\"]".formatted(listed));
        String id = events.post("/v1/events", ownerAuth, "{\"action\":\"%s\",\"payload\":{}}".formatted(closed))
                .expectStatus()
                .isCreated()
                .expectBody(Published.class)
                .returnResult()
                .getResponseBody()
                .id();

        // on the list: may read, even before subscribing; off it: may not, and may not subscribe to read
        events.get("/v1/events/" + id, listedAuth).expectStatus().isOk();
        events.get("/v1/events?action=" + closed, listedAuth).expectStatus().isOk();
        events.get("/v1/events/" + id, unlistedAuth).expectStatus().isForbidden();
        registry.post(
                        "/v1/subscriptions",
                        unlistedAuth,
                        "{\"application\":\"%s\",\"subscription\":\"%s\",\"action\":\"%s\",\"handler\":\"/h\"}"
                                .formatted(unlisted, SharedKafka.uniqueName("sneak"), closed))
                .expectStatus()
                .isForbidden();
        events.get("/v1/events?action=" + closed, unlistedAuth).expectStatus().isForbidden();
    }

    @Test
    void mergesSeveralActionsInTimeOrderWhetherRepeatedOrCommaSeparated() {
        String other = SharedKafka.uniqueName("order.shipped");
        registry.action(other, owner, "{\"type\":\"object\"}", "\"partitions\":2");
        List<Read> expected = new ArrayList<>();
        for (Published p : published) {
            expected.add(new Read(p.id(), action, p.time(), p.partition(), p.offset()));
        }
        for (int i = 0; i < 12; i++) {
            Published p = publish(other, ownerAuth, "{\"n\":" + i + "}");
            expected.add(new Read(p.id(), other, p.time(), p.partition(), p.offset()));
        }
        expected.sort(Read.ORDER);
        Instant from = expected.get(0).time();
        Instant to = expected.get(expected.size() - 1).time().plusMillis(1);
        List<String> ids = expected.stream().map(Read::id).toList();

        assertThat(pages(
                        "/v1/events?action=" + action + "&action=" + other + "&from=" + from + "&to=" + to + "&limit=9",
                        ownerAuth))
                .containsExactlyElementsOf(ids);
        assertThat(pages(
                        "/v1/events?action=" + other + "," + action + "&from=" + from + "&to=" + to + "&limit=100",
                        ownerAuth))
                .containsExactlyElementsOf(ids);
        assertThat(streamed("/v1/events?action=" + action + "," + other + "&from=" + from + "&to=" + to, ownerAuth))
                .containsExactlyElementsOf(ids);
    }

    @Test
    void withoutAnActionReadsEveryActionTheCallerMayReadAndNothingElse() {
        String reader = SharedKafka.uniqueName("wide-reader");
        String readerAuth = registry.application(reader);
        String stranger = SharedKafka.uniqueName("stranger-owner");
        String strangerAuth = registry.application(stranger);
        String own = SharedKafka.uniqueName("mine.created");
        String subscribed = SharedKafka.uniqueName("theirs.subscribed");
        String listed = SharedKafka.uniqueName("theirs.listed");
        String hidden = SharedKafka.uniqueName("theirs.hidden");
        registry.action(own, reader, "{\"type\":\"object\"}", "\"partitions\":2");
        registry.action(subscribed, stranger, "{\"type\":\"object\"}", "\"partitions\":3");
        registry.action(listed, stranger, "{\"type\":\"object\"}", "\"subscribers\":[\"%s\"]".formatted(reader));
        registry.action(hidden, stranger, "{\"type\":\"object\"}", "\"partitions\":1");
        registry.subscribe(reader, SharedKafka.uniqueName("sub"), subscribed);
        Instant start = Instant.now().minusSeconds(1);
        List<Read> readable = new ArrayList<>();
        List<Read> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            for (String[] target : new String[][] {
                {own, readerAuth}, {subscribed, strangerAuth}, {listed, strangerAuth}, {hidden, strangerAuth}
            }) {
                Published p = publish(target[0], target[1], "{\"i\":" + i + "}");
                Read read = new Read(p.id(), target[0], p.time(), p.partition(), p.offset());
                all.add(read);
                if (!target[0].equals(hidden)) {
                    readable.add(read);
                }
            }
        }
        readable.sort(Read.ORDER);
        all.sort(Read.ORDER);

        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(pages("/v1/events?from=" + start + "&limit=5", readerAuth))
                        .containsExactlyElementsOf(
                                readable.stream().map(Read::id).toList()));
        assertThat(streamed("/v1/events?from=" + start, readerAuth))
                .containsExactlyElementsOf(readable.stream().map(Read::id).toList());
        // the admin reads everything; other tests' events may lie in between
        assertThat(pages("/v1/events?from=" + start + "&limit=100", Services.ADMIN))
                .containsSubsequence(all.stream().map(Read::id).toList());
        events.get("/v1/events?action=" + own + "," + hidden, readerAuth)
                .expectStatus()
                .isForbidden();
    }

    @Test
    void refusesBadQueriesWith400NamingTheParameter() {
        events.get("/v1/events?action=", ownerAuth)
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/action");
        events.get("/v1/events?action=" + action + ",", ownerAuth)
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/action");
        events.get("/v1/events?action=" + action + "&action=" + SharedKafka.uniqueName("nothing.here"), ownerAuth)
                .expectStatus()
                .isNotFound();
        String otherCursor = events.get("/v1/events?action=" + action + "&limit=1", ownerAuth)
                .expectStatus()
                .isOk()
                .returnResult(String.class)
                .getResponseHeaders()
                .getFirst("X-Next-Cursor");
        events.get("/v1/events?limit=1&cursor=" + otherCursor, ownerAuth)
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/cursor");
        events.get("/v1/events?action=" + action + "&from=yesterday", ownerAuth)
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/from");
        events.get("/v1/events?action=" + action + "&limit=0", ownerAuth)
                .expectStatus()
                .isBadRequest();
        events.get("/v1/events?action=" + action + "&cursor=garbage", ownerAuth)
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/cursor");
        events.get("/v1/events?action=" + action + "&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", ownerAuth)
                .expectStatus()
                .isBadRequest();
    }

    /** An event as a merged read orders it: by time, then topic (the action's name decides), partition, offset. */
    record Read(String id, String action, Instant time, int partition, long offset) {
        static final Comparator<Read> ORDER = Comparator.comparing(Read::time)
                .thenComparing(Read::action)
                .thenComparingInt(Read::partition)
                .thenComparingLong(Read::offset);
    }

    private static Published publish(String action, String auth, String payload) {
        return events.post("/v1/events", auth, "{\"action\":\"%s\",\"payload\":%s}".formatted(action, payload))
                .expectStatus()
                .isCreated()
                .expectBody(Published.class)
                .returnResult()
                .getResponseBody();
    }

    /** The ids of every page, following {@code Link} from {@code first}. */
    private static List<String> pages(String first, String auth) {
        List<String> seen = new ArrayList<>();
        String next = first;
        while (next != null) {
            EntityExchangeResult<byte[]> page =
                    events.get(next, auth).expectStatus().isOk().expectBody().returnResult();
            JSON.readTree(page.getResponseBody())
                    .forEach(e -> seen.add(e.path("id").asString()));
            String link = page.getResponseHeaders().getFirst(HttpHeaders.LINK);
            next = link == null ? null : link.substring(1, link.indexOf('>'));
        }
        return seen;
    }

    private static List<String> streamed(String uri, String auth) {
        String ndjson = events.http()
                .get()
                .uri(uri)
                .header(HttpHeaders.AUTHORIZATION, auth)
                .accept(MediaType.parseMediaType("application/x-ndjson"))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        return ndjson == null
                ? List.of()
                : ndjson.lines()
                        .filter(l -> !l.isBlank())
                        .map(l -> JSON.readTree(l).path("id").asString())
                        .toList();
    }

    private static List<Published> inTimeOrder() {
        return published.stream()
                .sorted(Comparator.comparing(Published::time)
                        .thenComparing(Published::partition)
                        .thenComparing(Published::offset))
                .toList();
    }
}
