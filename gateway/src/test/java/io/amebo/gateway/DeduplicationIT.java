package io.amebo.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.RealInfrastructureExtension;
import io.amebo.testkit.SharedKafka;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** A deduper appends once, across gateway instances and restarts (DESIGN §4). */
@RealInfrastructure
class DeduplicationIT {

    @Test
    void aSecondPublishWithTheSameDeduperThroughAnotherGatewayAppendsNothingAndReturnsTheFirstId(SharedKafka kafka) {
        ConfigurableApplicationContext registryContext = Services.sharedRegistry();
        Client registry = new Client(Services.url(registryContext));
        String owner = SharedKafka.uniqueName("deduper");
        String auth = registry.application(owner);
        String action = SharedKafka.uniqueName("dedupe.event");
        registry.action(action, owner, "{\"type\":\"object\"}", "");
        String body = "{\"action\":\"%s\",\"deduper\":\"order-42\",\"payload\":{\"n\":1}}".formatted(action);

        String first;
        try (ConfigurableApplicationContext one = gateway(registryContext);
                ConfigurableApplicationContext two = gateway(registryContext)) {
            Client a = new Client(Services.url(one));
            Client b = new Client(Services.url(two));
            awaitDeduplicationReady(a, auth, action);
            awaitDeduplicationReady(b, auth, action);

            first = id(a.post("/v1/events", auth, body).expectStatus().isCreated());
            String again = id(b.post("/v1/events", auth, body).expectStatus().isOk());
            assertThat(again).isEqualTo(first);
        }

        try (ConfigurableApplicationContext restarted = gateway(registryContext)) {
            Client c = new Client(Services.url(restarted));
            awaitDeduplicationReady(c, auth, action);
            assertThat(id(c.post("/v1/events", auth, body).expectStatus().isOk()))
                    .isEqualTo(first);
            // another deduper, or none, appends as usual
            c.post("/v1/events", auth, body.replace("order-42", "order-43"))
                    .expectStatus()
                    .isCreated();
        }

        assertThat(PublishIT.all(kafka, "amebo." + action).stream()
                        .map(r -> PublishIT.headers(r).get("amebo_deduper"))
                        .filter(d -> d.startsWith("order-")))
                .containsExactlyInAnyOrder("order-42", "order-43");
    }

    private static ConfigurableApplicationContext gateway(ConfigurableApplicationContext registry) {
        return Services.gateway(Services.url(registry), RealInfrastructureExtension.springDatabase());
    }

    /** The deduplication table is migrated in the background at startup; publishes with a deduper wait for it. */
    private static void awaitDeduplicationReady(Client gateway, String auth, String action) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> gateway.post(
                                        "/v1/events",
                                        auth,
                                        "{\"action\":\"%s\",\"deduper\":\"warm-up-%s\",\"payload\":{\"n\":0}}"
                                                .formatted(action, SharedKafka.uniqueName("w")))
                                .returnResult(Void.class)
                                .getStatus()
                                .value()
                        != 503);
    }

    @SuppressWarnings("unchecked")
    private static String id(org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec response) {
        return ((Map<String, Object>)
                        response.expectBody(Map.class).returnResult().getResponseBody())
                .get("id")
                .toString();
    }
}
