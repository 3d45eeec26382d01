package io.amebo.standalone.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.SharedPostgres;
import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reproduces what the guarantee checker found (seeds 1791375065469632580, 17799491976962829): a dispatcher that
 * stops while its delivery log's PostgreSQL is unreachable loses the outcomes it has not written yet, so a delivered
 * event's gist stays {@code failed} or {@code pending} (or is missing) for good, and a dead delivery has its dead
 * letter on {@code amebo.dead} but no {@code dead} gist: it is neither visible through {@code GET /v1/gists} nor
 * re-queued by {@code POST /v1/subscriptions/{name}/redeliver} (DESIGN §5 and §6.2: dead = visible, redeliverable).
 * Failed before 7eaf19d (outcomes now go to a journal on Kafka before their event is committed); kept as a
 * regression test.
 */
class GistLossReproductionIT {

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private final AmeboApi api = new AmeboApi();
    private Cluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        receiver.close();
    }

    @Test
    void outcomesSettledWhileTheDatabaseIsAwaySurviveAStopOfTheDispatcher() {
        String prefix = SharedKafka.uniqueName("gist-loss");
        cluster = new Cluster(
                prefix,
                SharedKafka.get(),
                SharedPostgres.get().newDatabase(SharedKafka.uniqueName("gistloss")),
                Path.of("target", "checker", prefix));
        cluster.startServices();
        Cluster.Dispatcher dispatcher = cluster.addDispatcher("dispatcher", false);
        dispatcher.start();
        String amebo = cluster.servicesUrl();
        receiver.respondByDefault(r -> Reply.status(r.bodyText().contains("\"fail\":true") ? 500 : 200));
        api.registerPublisherAndSubscriber(amebo, "things", 1);
        api.expectOk(
                "POST",
                amebo + "/v1/subscriptions",
                AmeboApi.ADMIN,
                AmeboApi.json(Map.of(
                        "application", "sub",
                        "subscription", "s",
                        "action", "things",
                        "handler", receiver.url("/hook"),
                        "max_retries", 1)));
        String before = publish(amebo, false);
        await().atMost(Duration.ofSeconds(60)).until(() -> statusOf(before).equals("delivered")); // the log works

        dispatcher.database.cut();
        String delivered = publish(amebo, false);
        String dead = publish(amebo, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.count() == 3);
        try (KafkaObserver kafka = new KafkaObserver(SharedKafka.get())) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> kafka.deadLetters(prefix + ".dead").size() == 1);
        }
        dispatcher.stop(); // a graceful stop while PostgreSQL is away
        dispatcher.database.restore();
        dispatcher.start();

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(List.of(statusOf(delivered), statusOf(dead)))
                        .as("the gists of an event delivered and of one dead before the stop")
                        .containsExactly("delivered", "dead"));
    }

    /** Publishes, trying again while the gateway answers 503 (as it may right after an action is created). */
    private String publish(String amebo, boolean fail) {
        String body = AmeboApi.json(Map.of("action", "things", "payload", Map.of("fail", fail)));
        AmeboApi.Answer[] answer = new AmeboApi.Answer[1];
        await().atMost(Duration.ofSeconds(60))
                .until(() -> (answer[0] = api.call(
                                        "POST",
                                        amebo + "/v1/events",
                                        AmeboApi.basic("pub", "pub-secret-0123456789"),
                                        body))
                                .status()
                        != 503);
        assertThat(answer[0].status()).as(answer[0].body()).isEqualTo(201);
        return answer[0].json().path("id").asString();
    }

    private String statusOf(String event) {
        return api.gists(cluster.dispatcherUrl(), "s", null).stream()
                .filter(g -> g.event().equals(event))
                .map(Checks.Gist::status)
                .findFirst()
                .orElse("none");
    }
}
