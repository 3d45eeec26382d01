package io.amebo.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.store.GistLog;
import io.amebo.dispatcher.store.GistLog.Gist;
import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** The delivery log (gists) in PostgreSQL: it only moves forward, takes any answer, and loses nothing at shutdown. */
@RealInfrastructure
class DeliveryLogIT {

    private static final String SECRET = "log-secret-0123456789";

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private Fixtures fixtures;
    private String subscriber;
    private String action;

    @BeforeEach
    void registerAnActionAndASubscriber() {
        fixtures = new Fixtures(SharedKafka.get());
        Fixtures.Scenario scenario = fixtures.scenario("invoice.sent", receiver.url("/"), SECRET, 2);
        subscriber = scenario.subscriber();
        action = scenario.action();
    }

    @AfterEach
    void close() {
        receiver.close();
        fixtures.close();
    }

    @Test
    void aGistNeverMovesBackWhateverOrderItsRecordsReachPostgresIn() {
        try (ConfigurableApplicationContext dispatcher = fixtures.dispatcher()) {
            GistLog log = dispatcher.getBean(GistLog.class);
            UUID id = UUID.randomUUID();
            Instant failedAt = Instant.now();
            Instant deadAt = failedAt.plusMillis(300);
            await().atMost(Duration.ofSeconds(30)).until(log::isReady);

            // the dead record arrives first (a replay and a retry of one event settled at once, say)
            log.write(List.of(gist(id, "dead", 5, deadAt))).block();
            log.write(List.of(gist(id, "failed", 4, failedAt))).block();
            // and within one batch, the later record wins whatever its place
            UUID other = UUID.randomUUID();
            log.write(List.of(gist(other, "dead", 3, deadAt), gist(other, "failed", 2, failedAt)))
                    .block();

            Gist stored = log.find(id).block();
            assertThat(stored.status()).isEqualTo("dead");
            assertThat(stored.attempts()).isEqualTo(5);
            assertThat(log.find(other).block().status()).isEqualTo("dead");
        }
    }

    private static Gist gist(UUID id, String status, int attempts, Instant at) {
        return new Gist(
                id, "ordering-test", "", "invoice.sent", "AQ", status, attempts, 500, "HTTP 500", "", null, at, at);
    }

    @Test
    void anAnswerWithANulByteIsLoggedAndHoldsUpNoOtherRecord() {
        SubscriptionState subscription =
                fixtures.subscription(SharedKafka.uniqueName("nul"), subscriber, action, "/hook", 1, false);
        receiver.respondByDefault(Reply.status(500).withBody("broken\u0000answer"));

        try (ConfigurableApplicationContext dispatcher = fixtures.dispatcher()) {
            DispatcherApi api = new DispatcherApi(dispatcher);
            fixtures.publish(action, null, "{\"n\": 1}");
            fixtures.publish(action, null, "{\"n\": 2}");

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(api.gists(subscription.subscription(), "dead"))
                            .hasSize(2));
            JsonNode gist = api.gists(subscription.subscription(), "dead").get(0);
            assertThat(gist.path("response_excerpt").asString()).isEqualTo("broken\uFFFDanswer");
        }
    }

    @Test
    void listsGistsPageByPageWithALinkThatKeepsEveryFilter() {
        String name = SharedKafka.uniqueName("paged");
        fixtures.subscription(name, subscriber, action, "/hook", 1, false);
        receiver.respondByDefault(Reply.status(200));

        try (ConfigurableApplicationContext dispatcher = fixtures.dispatcher()) {
            DispatcherApi api = new DispatcherApi(dispatcher);
            for (int i = 0; i < 5; i++) {
                fixtures.publish(action, "k" + i, "{\"n\": " + i + "}");
            }
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () -> assertThat(api.gists(name, "delivered")).hasSize(5));

            // every filter; the time with an offset has characters that must stay encoded ('+', ':')
            DispatcherApi.Page first = api.page("/v1/gists?subscription=" + name + "&action=" + action
                    + "&status=delivered&from=2000-01-01T01%3A00%3A00%2B01%3A00&to=2100-01-01T00:00:00Z&pagination=2");
            assertThat(first.items()).hasSize(2);
            assertThat(first.next())
                    .startsWith("/v1/gists?")
                    .contains(
                            "subscription=" + name,
                            "action=" + action,
                            "status=delivered",
                            "from=2000-01-01T01%3A00%3A00%2B01%3A00",
                            "to=2100-01-01T00%3A00%3A00Z",
                            "page=2",
                            "pagination=2");
            DispatcherApi.Page second = api.page(first.next());
            assertThat(second.items()).hasSize(2);
            assertThat(second.next()).contains("page=3");
            DispatcherApi.Page last = api.page(second.next());
            assertThat(last.items()).hasSize(1);
            assertThat(last.next()).isNull();
            assertThat(java.util.stream.Stream.of(first, second, last)
                            .flatMap(page -> page.items().stream())
                            .map(gist -> gist.path("gist").asString())
                            .distinct())
                    .hasSize(5);

            // a full last page has no next page: the list reads one row more than it answers
            DispatcherApi.Page all = api.page("/v1/gists?subscription=" + name + "&pagination=5");
            assertThat(all.items()).hasSize(5);
            assertThat(all.next()).isNull();
        }
    }

    @Test
    void theLastOutcomesBeforeAShutdownAreLogged() {
        SubscriptionState subscription =
                fixtures.subscription(SharedKafka.uniqueName("last"), subscriber, action, "/hook", 5, false);
        receiver.respondByDefault(Reply.status(200).after(Duration.ofSeconds(1)));

        try (ConfigurableApplicationContext dispatcher = fixtures.dispatcher()) {
            for (int i = 0; i < 6; i++) {
                fixtures.publish(action, "k" + i, "{\"n\": " + i + "}");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.count() == 6);
        } // stopped while all six wait for their answers

        try (ConfigurableApplicationContext again = fixtures.dispatcher()) {
            DispatcherApi api = new DispatcherApi(again);
            assertThat(api.gists(subscription.subscription(), "delivered")).hasSize(6);
        }
    }
}
