package io.amebo.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.RealInfrastructureExtension;
import io.amebo.testkit.SharedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * {@code POST /v1/events/batch}: one result per item in input order; 200 all, 207 mixed; none appended: the status
 * all items share, else 422.
 */
@RealInfrastructure
class BatchPublishIT {

    private static ConfigurableApplicationContext gateway;
    private static Client registry;
    private static Client events;

    private String ownerAuth;
    private String action;

    @BeforeAll
    static void start() {
        ConfigurableApplicationContext registryContext = Services.sharedRegistry();
        gateway = Services.gateway(
                Services.url(registryContext),
                RealInfrastructureExtension.springDatabase(),
                "--amebo.gateway.max-batch-items=50");
        registry = new Client(Services.url(registryContext));
        events = new Client(Services.url(gateway));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @BeforeEach
    void registerAnAction() {
        String owner = SharedKafka.uniqueName("batcher");
        ownerAuth = registry.application(owner);
        action = SharedKafka.uniqueName("batch.event");
        registry.action(action, owner, "{\"type\":\"object\",\"required\":[\"n\"]}", "");
    }

    @Test
    void appendsAWholeJsonArrayWith200(SharedKafka kafka) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 30; i++) {
            body.append(i == 0 ? "" : ",").append("{\"action\":\"%s\",\"payload\":{\"n\":%d}}".formatted(action, i));
        }
        body.append(']');

        events.post("/v1/events/batch", ownerAuth, body.toString())
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.appended")
                .isEqualTo(30)
                .jsonPath("$.results.length()")
                .isEqualTo(30)
                .jsonPath("$.results[29].index")
                .isEqualTo(29)
                .jsonPath("$.results[29].status")
                .isEqualTo(201)
                .jsonPath("$.results[29].id")
                .exists();

        assertThat(PublishIT.all(kafka, "amebo." + action)).hasSize(30);
    }

    @Test
    void reportsAMixedNdjsonBatchItemByItemWith207(SharedKafka kafka) {
        String ndjson = String.join(
                "\n",
                "{\"action\":\"%s\",\"payload\":{\"n\":1}}".formatted(action),
                "{\"action\":\"%s\",\"payload\":{\"m\":2}}".formatted(action),
                "{not json",
                "{\"action\":\"%s\",\"payload\":{\"n\":3}}".formatted(action),
                "");

        events.http()
                .post()
                .uri("/v1/events/batch")
                .header(HttpHeaders.AUTHORIZATION, ownerAuth)
                .contentType(MediaType.parseMediaType("application/x-ndjson"))
                .bodyValue(ndjson)
                .exchange()
                .expectStatus()
                .isEqualTo(207)
                .expectBody()
                .jsonPath("$.results[0].status")
                .isEqualTo(201)
                .jsonPath("$.results[1].status")
                .isEqualTo(422)
                .jsonPath("$.results[1].errors[0].pointer")
                .isEqualTo("/payload")
                .jsonPath("$.results[2].status")
                .isEqualTo(400)
                .jsonPath("$.results[3].status")
                .isEqualTo(201)
                .jsonPath("$.appended")
                .isEqualTo(2);

        assertThat(PublishIT.all(kafka, "amebo." + action)).hasSize(2);
    }

    @Test
    void countsDeduplicatedItemsApartFromAppendedOnes(SharedKafka kafka) {
        String item = "{\"action\":\"%s\",\"payload\":{\"n\":1},\"deduper\":\"%s\"}";
        events.post(
                        "/v1/events/batch",
                        ownerAuth,
                        "[" + item.formatted(action, "d1") + "," + item.formatted(action, "d2") + "]")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.appended")
                .isEqualTo(2)
                .jsonPath("$.deduplicated")
                .isEqualTo(0);

        events.post(
                        "/v1/events/batch",
                        ownerAuth,
                        "[" + item.formatted(action, "d1") + "," + item.formatted(action, "d3") + "]")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.results[0].status")
                .isEqualTo(200)
                .jsonPath("$.results[1].status")
                .isEqualTo(201)
                .jsonPath("$.appended")
                .isEqualTo(1)
                .jsonPath("$.deduplicated")
                .isEqualTo(1)
                .jsonPath("$.failed")
                .isEqualTo(0);

        assertThat(PublishIT.all(kafka, "amebo." + action)).hasSize(3);
    }

    @Test
    void answers422WhenNothingWasAppended(SharedKafka kafka) {
        events.post("/v1/events/batch", ownerAuth, "[{\"action\":\"%s\",\"payload\":{}}]".formatted(action))
                .expectStatus()
                .isEqualTo(422);

        assertThat(PublishIT.all(kafka, "amebo." + action)).isEmpty();
    }

    @Test
    void answersTheSharedStatusWhenEveryItemFailedTheSameWay(SharedKafka kafka) {
        String stranger = registry.application(SharedKafka.uniqueName("stranger"));
        String item = "{\"action\":\"%s\",\"payload\":{\"n\":1}}".formatted(action);
        events.post("/v1/events/batch", stranger, "[" + item + "," + item + "]")
                .expectStatus()
                .isForbidden()
                .expectBody()
                .jsonPath("$.results[1].status")
                .isEqualTo(403);
        events.post(
                        "/v1/events/batch",
                        ownerAuth,
                        "[{\"action\":\"%s\",\"payload\":{}},{\"action\":\"no.such.action\",\"payload\":{}}]"
                                .formatted(action))
                .expectStatus()
                .isEqualTo(422);

        assertThat(PublishIT.all(kafka, "amebo." + action)).isEmpty();
    }

    @Test
    void refusesTooManyItemsAndWrongShapesWholesale(SharedKafka kafka) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 51; i++) {
            body.append(i == 0 ? "" : ",").append("{\"action\":\"%s\",\"payload\":{\"n\":%d}}".formatted(action, i));
        }
        body.append(']');

        events.post("/v1/events/batch", ownerAuth, body.toString())
                .expectStatus()
                .isEqualTo(413);
        events.post("/v1/events/batch", ownerAuth, "{\"action\":\"x\"}")
                .expectStatus()
                .isBadRequest();
        events.post("/v1/events/batch", ownerAuth, "[]").expectStatus().isBadRequest();
        assertThat(PublishIT.all(kafka, "amebo." + action)).isEmpty();
    }
}
