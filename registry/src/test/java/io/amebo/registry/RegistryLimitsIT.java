package io.amebo.registry;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;

/** One application cannot take the cluster for itself: partitions per action and actions per application are capped. */
@RealInfrastructure
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"amebo.registry.max-partitions=4", "amebo.registry.max-actions-per-application=2"})
@AutoConfigureWebTestClient(timeout = "30s")
@ActiveProfiles("test")
class RegistryLimitsIT {

    @Autowired
    private WebTestClient http;

    @Test
    void capsPartitionsPerActionAndActionsPerApplication() {
        Api api = new Api(http);
        String owner = SharedKafka.uniqueName("greedy");
        api.application(owner, "https://greedy.example.com", "greedy-secret-0123456789");
        String auth = Api.basic(owner, "greedy-secret-0123456789");

        api.post("/v1/actions", auth, action(owner, SharedKafka.uniqueName("wide"), 5))
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/partitions");
        api.post("/v1/actions", auth, action(owner, SharedKafka.uniqueName("first"), 4))
                .expectStatus()
                .isCreated();
        api.post("/v1/actions", auth, action(owner, SharedKafka.uniqueName("second"), 1))
                .expectStatus()
                .isCreated();
        api.post("/v1/actions", auth, action(owner, SharedKafka.uniqueName("third"), 1))
                .expectStatus()
                .isEqualTo(409)
                .expectBody()
                .jsonPath("$.error")
                .value(error -> org.assertj.core.api.Assertions.assertThat(error.toString())
                        .contains("the most one application may own"));
    }

    private static String action(String owner, String name, int partitions) {
        return "{\"action\":\"%s\",\"application\":\"%s\",\"schemata\":{\"type\":\"object\"},\"partitions\":%d}"
                .formatted(name, owner, partitions);
    }
}
