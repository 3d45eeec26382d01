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
        String owner = SharedKafka.uniqueName("owner");
        subscriber = SharedKafka.uniqueName("subscriber");
        action = SharedKafka.uniqueName("invoice.sent");
        fixtures.application(owner, "https://owner.example.com", "owner-secret-0123456789");
        fixtures.application(subscriber, receiver.url("/"), SECRET);
        fixtures.action(action, owner, 2);
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
            await().atMost(Duration.ofSeconds(30)).until(() -> log.flush().block() >= 0 && canWrite(log));

            // the dead record arrives first (the failed one was queued behind a PostgreSQL outage, say)
            log.record(gist(id, "dead", 5, deadAt));
            log.flush().block();
            log.record(gist(id, "failed", 4, failedAt));
            log.flush().block();

            Gist stored = log.find(id).block();
            assertThat(stored.status()).isEqualTo("dead");
            assertThat(stored.attempts()).isEqualTo(5);
        }
    }

    private static boolean canWrite(GistLog log) {
        UUID probe = UUID.randomUUID();
        log.record(gist(probe, "pending", 0, Instant.now()));
        log.flush().block();
        return log.find(probe).blockOptional().isPresent();
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
