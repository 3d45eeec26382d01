package io.amebo.registry;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * One application cannot take the cluster for itself: partitions per action and actions per application are capped,
 * and wrong secrets and token requests are throttled per application.
 */
@RealInfrastructure
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "amebo.registry.max-partitions=4",
            "amebo.registry.max-actions-per-application=2",
            "amebo.registry.max-subscriptions-per-application=2",
            "amebo.auth.login-failures=3",
            "amebo.auth.tokens-per-window=2",
            "amebo.auth.login-window=1m"
        })
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

    @Test
    void capsSubscriptionsPerApplication() {
        Api api = new Api(http);
        String owner = SharedKafka.uniqueName("publisher");
        api.application(owner, "https://publisher.example.com", "publisher-secret-0123456789");
        String action = SharedKafka.uniqueName("watched");
        api.action(action, owner, "{\"type\":\"object\"}");
        String subscriber = SharedKafka.uniqueName("hoarder");
        api.application(subscriber, "https://hoarder.example.com", "hoarder-secret-0123456789");
        String auth = Api.basic(subscriber, "hoarder-secret-0123456789");

        for (int i = 0; i < 2; i++) {
            api.post("/v1/subscriptions", auth, subscription(subscriber, action))
                    .expectStatus()
                    .isCreated();
        }
        api.post("/v1/subscriptions", auth, subscription(subscriber, action))
                .expectStatus()
                .isEqualTo(409)
                .expectBody()
                .jsonPath("$.error")
                .value(error -> org.assertj.core.api.Assertions.assertThat(error.toString())
                        .contains("the most one application may hold"));
    }

    private static String subscription(String application, String action) {
        return "{\"application\":\"%s\",\"subscription\":\"%s\",\"action\":\"%s\",\"handler\":\"/hook\"}"
                .formatted(application, SharedKafka.uniqueName("hoard"), action);
    }

    private static String action(String owner, String name, int partitions) {
        return "{\"action\":\"%s\",\"application\":\"%s\",\"schemata\":{\"type\":\"object\"},\"partitions\":%d}"
                .formatted(name, owner, partitions);
    }

    @Test
    void wrongSecretsAndTokenRequestsAreThrottledPerApplicationWithRetryAfter() {
        Api api = new Api(http);
        String guessed = SharedKafka.uniqueName("guessed");
        String secret = "guessed-secret-0123456789";
        api.application(guessed, "https://guessed.example.com", secret);
        String bystander = SharedKafka.uniqueName("bystander");
        api.application(bystander, "https://bystander.example.com", secret);

        for (int i = 0; i < 3; i++) {
            api.get("/v1/applications", Api.basic(guessed, "guess-number-" + i + "-0123"))
                    .expectStatus()
                    .isUnauthorized();
        }
        // the right secret is refused too while the guesses count, by Basic and by POST /v1/tokens
        api.get("/v1/applications", Api.basic(guessed, secret))
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .valueEquals("Retry-After", "60");
        api.post("/v1/tokens", null, login(guessed, secret))
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .valueEquals("Retry-After", "60");
        // another application is not held up; it gets two tokens a window, then 429
        api.get("/v1/applications", Api.basic(bystander, secret)).expectStatus().isOk();
        api.post("/v1/tokens", null, login(bystander, secret)).expectStatus().isOk();
        api.post("/v1/tokens", null, login(bystander, secret)).expectStatus().isOk();
        api.post("/v1/tokens", null, login(bystander, secret))
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .valueEquals("Retry-After", "60");
    }

    private static String login(String application, String secret) {
        return "{\"application\": \"%s\", \"secret\": \"%s\"}".formatted(application, secret);
    }
}
