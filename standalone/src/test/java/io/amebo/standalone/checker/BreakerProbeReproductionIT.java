package io.amebo.standalone.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.SharedPostgres;
import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reproduces what the guarantee checker found (seed 5163445248860758416: partitions of a subscription held by one
 * dispatcher stopped moving for good, lag never back at 0): when the one delivery the half-open circuit breaker lets
 * through (its probe) is cancelled, because the worker stops or its partition is revoked, its permit is never given
 * back, the breaker stays half-open, and every later attempt of that subscription on that dispatcher is deferred
 * forever. Nothing is delivered again even though the handler is healthy (DESIGN §5: "a half-open probe tests the
 * handler, and delivery resumes where it stopped"). Failed before 9244350 (an abandoned attempt now gives its permit
 * back); kept as a regression test.
 */
class BreakerProbeReproductionIT {

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
    void aCancelledHalfOpenProbeDoesNotStopDeliveryForGood() {
        String prefix = SharedKafka.uniqueName("probe");
        cluster = new Cluster(
                prefix,
                SharedKafka.get(),
                SharedPostgres.get().newDatabase(SharedKafka.uniqueName("probe")),
                Path.of("target", "checker", prefix));
        cluster.startServices();
        // waits for an answer long enough that the probe is still waiting when its worker stops
        cluster.addDispatcher("dispatcher", false, "request-timeout", "15s", "shutdown-grace", "1s")
                .start();
        String amebo = cluster.servicesUrl();
        // five failures open the breaker; the probe after it is held until the worker has stopped; then all is well
        receiver.failNext(5, 500);
        receiver.enqueue(Reply.status(200).after(Duration.ofSeconds(8)));
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
                        "max_retries", 10)));
        Set<String> published = new LinkedHashSet<>();
        for (int i = 0; i < 5; i++) {
            published.add(publish(amebo, i));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.count() >= 6); // 5 failures, then the probe

        // the worker stops (the subscription is paused) while the probe waits for its answer, and starts again
        status(amebo, "paused");
        await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> true);
        status(amebo, "active");
        published.add(publish(amebo, 5));

        await().atMost(Duration.ofSeconds(45))
                .untilAsserted(() -> assertThat(receiver.requests().stream()
                                .skip(6)
                                .map(r -> r.header("webhook-id"))
                                .toList())
                        .as(
                                "events delivered after the subscription resumed, the handler being healthy"
                                        + " (the dispatcher's breaker gauge: %s)",
                                breaker())
                        .containsAll(published));
    }

    /** The dispatcher's {@code amebo_subscription_breaker} line: 0 closed, 1 open, 2 half open. */
    private String breaker() {
        return api.metrics(cluster.dispatcherUrl())
                .body()
                .lines()
                .filter(line -> line.startsWith("amebo_subscription_breaker{"))
                .findFirst()
                .orElse("(none)");
    }

    private void status(String amebo, String status) {
        api.expectOk("PATCH", amebo + "/v1/subscriptions/s", AmeboApi.ADMIN, AmeboApi.json(Map.of("status", status)));
    }

    private String publish(String amebo, int n) {
        String body = AmeboApi.json(Map.of("action", "things", "payload", Map.of("n", n)));
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
}
