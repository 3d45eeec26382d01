package io.amebo.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Every authorization rule of DESIGN §4.1, against the real registry. */
@RealInfrastructure
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s") // a shared CI machine can stall a request for seconds
@ActiveProfiles("test")
class AuthorizationIT {

    private static final String SCHEMA = "{\"type\":\"object\"}";

    @Autowired
    private WebTestClient http;

    private Api api;
    private String owner;
    private String other;
    private String ownerAuth;
    private String otherAuth;
    private String action;

    @BeforeEach
    void registerTwoApplications() {
        api = new Api(http);
        owner = SharedKafka.uniqueName("owner");
        other = SharedKafka.uniqueName("other");
        api.application(owner, "https://owner.example.com", "owner-secret-0123456789");
        api.application(other, "https://other.example.com", "other-secret-0123456789");
        ownerAuth = Api.basic(owner, "owner-secret-0123456789");
        otherAuth = Api.basic(other, "other-secret-0123456789");
        action = SharedKafka.uniqueName("auth.action");
        api.post(
                        "/v1/actions",
                        ownerAuth,
                        "{\"action\":\"%s\",\"application\":\"%s\",\"schemata\":%s}".formatted(action, owner, SCHEMA))
                .expectStatus()
                .isCreated();
    }

    @Test
    void refusesRequestsWithoutCredentials() {
        api.get("/v1/applications", null)
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .contentType("application/problem+json")
                .expectBody()
                .jsonPath("$.error")
                .exists();
        api.post("/v1/applications", null, "{\"application\":\"x\",\"address\":\"https://x.example.com\"}")
                .expectStatus()
                .isUnauthorized();
    }

    @Test
    void refusesAWrongSecretAWrongTokenAndAnUnknownScheme() {
        api.get("/v1/applications", Api.basic(owner, "not-the-secret-at-all"))
                .expectStatus()
                .isUnauthorized();
        api.get("/v1/applications", Api.basic("nobody-" + owner, "owner-secret-0123456789"))
                .expectStatus()
                .isUnauthorized();
        api.get("/v1/applications", "Bearer not.a.token").expectStatus().isUnauthorized();
        api.get("/v1/applications", "Digest abc").expectStatus().isUnauthorized();
    }

    @Test
    void onlyTheAdminRegistersApplications() {
        api.post(
                        "/v1/applications",
                        ownerAuth,
                        "{\"application\":\"%s\",\"address\":\"https://x.example.com\"}"
                                .formatted(SharedKafka.uniqueName("sneaky")))
                .expectStatus()
                .isForbidden();
    }

    @Test
    void anApplicationCannotRegisterActionsForAnother() {
        api.post(
                        "/v1/actions",
                        otherAuth,
                        "{\"action\":\"%s\",\"application\":\"%s\",\"schemata\":%s}"
                                .formatted(SharedKafka.uniqueName("stolen"), owner, SCHEMA))
                .expectStatus()
                .isForbidden();
    }

    @Test
    void anApplicationCannotChangeAnothersSchemata() {
        api.post("/v1/actions/" + action + "/schemata", otherAuth, "{\"schemata\":" + SCHEMA + "}")
                .expectStatus()
                .isForbidden();
    }

    @Test
    void anApplicationCannotSubscribeAnother() {
        api.post(
                        "/v1/subscriptions",
                        otherAuth,
                        "{\"application\":\"%s\",\"subscription\":\"%s\",\"action\":\"%s\",\"handler\":\"/hook\"}"
                                .formatted(owner, SharedKafka.uniqueName("sub"), action))
                .expectStatus()
                .isForbidden();
    }

    @Test
    void anApplicationCannotChangeOrDeleteAnothersRegistrationOrSubscription() {
        String subscription = SharedKafka.uniqueName("sub");
        api.post(
                        "/v1/subscriptions",
                        otherAuth,
                        "{\"application\":\"%s\",\"subscription\":\"%s\",\"action\":\"%s\",\"handler\":\"/hook\"}"
                                .formatted(other, subscription, action))
                .expectStatus()
                .isCreated();

        api.patch("/v1/applications/" + other, ownerAuth, "{\"address\":\"https://evil.example.com\"}")
                .expectStatus()
                .isForbidden();
        api.delete("/v1/applications/" + other, ownerAuth).expectStatus().isForbidden();
        api.patch("/v1/subscriptions/" + subscription, ownerAuth, "{\"status\":\"paused\"}")
                .expectStatus()
                .isForbidden();
        api.delete("/v1/subscriptions/" + subscription, ownerAuth)
                .expectStatus()
                .isForbidden();
        api.get("/v1/subscriptions/" + subscription, ownerAuth).expectStatus().isForbidden();
    }

    @Test
    void neverShowsASecretAfterCreation() {
        String body = api.get("/v1/applications/" + owner, ownerAuth)
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        String list = api.get("/v1/applications?application=" + owner, Api.ADMIN)
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();

        assertThat(body).doesNotContain("owner-secret-0123456789").doesNotContain("secret");
        assertThat(list).contains(owner).doesNotContain("owner-secret-0123456789");
    }

    @Test
    void issuesExpiringTokensForBothRequestShapesAndAcceptsThem() {
        String login = "{\"application\":\"%s\",\"secret\":\"owner-secret-0123456789\"}".formatted(owner);
        api.post("/v1/tokens", null, login)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.token_type")
                .isEqualTo("Bearer")
                .jsonPath("$.expires_in")
                .isEqualTo(3600);
        String token = tokenOf(login);
        String original = tokenOf(
                "{\"username\":\"%s\",\"password\":\"owner-secret-0123456789\",\"scheme\":\"token\"}".formatted(owner));

        api.get("/v1/applications/" + owner, "Bearer " + token).expectStatus().isOk();
        api.get("/v1/applications/" + owner, "Bearer " + original)
                .expectStatus()
                .isOk();
        api.post("/v1/tokens", null, "{\"application\":\"%s\",\"secret\":\"wrong-secret-0000000\"}".formatted(owner))
                .expectStatus()
                .isUnauthorized();
        api.post("/v8/tokens", null, login).expectStatus().isOk();
    }

    @Test
    void aRotatedSecretKeepsWorkingForTheGracePeriodBesideTheNewOne() {
        api.patch("/v1/applications/" + owner, ownerAuth, "{\"secret\":\"brand-new-secret-0123456789\"}")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.secret")
                .isEqualTo("brand-new-secret-0123456789")
                .jsonPath("$.previous_secret_valid_until")
                .exists();

        api.get("/v1/applications/" + owner, Api.basic(owner, "brand-new-secret-0123456789"))
                .expectStatus()
                .isOk();
        api.get("/v1/applications/" + owner, ownerAuth).expectStatus().isOk(); // the old one, in its grace period
    }

    @Test
    void aRotatedOutSecretInItsGracePeriodCanChangeNothingOfTheApplication() {
        String login = "{\"application\":\"%s\",\"secret\":\"owner-secret-0123456789\"}".formatted(owner);
        String oldToken = tokenOf(login);
        api.patch("/v1/applications/" + owner, Api.ADMIN, "{\"secret\":\"rotated-by-admin-0123456789\"}")
                .expectStatus()
                .isOk();

        for (String leaked : new String[] {ownerAuth, "Bearer " + oldToken}) {
            api.get("/v1/applications/" + owner, leaked).expectStatus().isOk(); // still in its grace period
            api.patch("/v1/applications/" + owner, leaked, "{\"secret\":\"taken-over-by-thief-0123456\"}")
                    .expectStatus()
                    .isForbidden();
            api.patch("/v1/applications/" + owner, leaked, "{\"rotate_secret\":true}")
                    .expectStatus()
                    .isForbidden();
            api.patch("/v1/applications/" + owner, leaked, "{\"address\":\"https://thief.example.com\"}")
                    .expectStatus()
                    .isForbidden();
            api.delete("/v1/applications/" + owner, leaked).expectStatus().isForbidden();
        }
        api.get("/v1/applications/" + owner, Api.basic(owner, "taken-over-by-thief-0123456"))
                .expectStatus()
                .isUnauthorized();
        // the current secret, and tokens minted from it, may
        String current = Api.basic(owner, "rotated-by-admin-0123456789");
        api.patch("/v1/applications/" + owner, current, "{\"address\":\"https://owner2.example.com\"}")
                .expectStatus()
                .isOk();
        String newToken =
                tokenOf("{\"application\":\"%s\",\"secret\":\"rotated-by-admin-0123456789\"}".formatted(owner));
        api.patch("/v1/applications/" + owner, "Bearer " + newToken, "{\"address\":\"https://owner3.example.com\"}")
                .expectStatus()
                .isOk();
    }

    @Test
    void aRotationCanEndThePreviousSecretAndItsTokensAtOnce() {
        String oldToken = tokenOf("{\"application\":\"%s\",\"secret\":\"owner-secret-0123456789\"}".formatted(owner));

        api.patch(
                        "/v1/applications/" + owner,
                        ownerAuth,
                        "{\"secret\":\"after-a-leak-0123456789\",\"revoke_previous\":true}")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.previous_secret_valid_until")
                .doesNotExist();

        api.get("/v1/applications/" + owner, ownerAuth).expectStatus().isUnauthorized();
        api.get("/v1/applications/" + owner, "Bearer " + oldToken)
                .expectStatus()
                .isUnauthorized();
        api.get("/v1/applications/" + owner, Api.basic(owner, "after-a-leak-0123456789"))
                .expectStatus()
                .isOk();
    }

    @Test
    void theGracePeriodOfARotatedOutSecretCanBeEndedLater() {
        api.patch("/v1/applications/" + owner, ownerAuth, "{\"secret\":\"next-secret-0123456789\"}")
                .expectStatus()
                .isOk();
        api.get("/v1/applications/" + owner, ownerAuth).expectStatus().isOk();

        api.patch("/v1/applications/" + owner, Api.basic(owner, "next-secret-0123456789"), "{\"revoke_previous\":true}")
                .expectStatus()
                .isOk();

        api.get("/v1/applications/" + owner, ownerAuth).expectStatus().isUnauthorized();
    }

    @Test
    void anActionsOwnerDecidesWhoMaySubscribe() {
        String listed = SharedKafka.uniqueName("listed");
        String closed = SharedKafka.uniqueName("closed.action");
        api.application(listed, "https://listed.example.com", "listed-secret-0123456789");
        api.post(
                        "/v1/actions",
                        ownerAuth,
                        "{\"action\":\"%s\",\"application\":\"%s\",\"schemata\":%s,\"subscribers\":[\"%s\"]}"
                                .formatted(closed, owner, SCHEMA, listed))
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.subscribers[0]")
                .isEqualTo(listed);

        api.post("/v1/subscriptions", otherAuth, subscription(other, closed))
                .expectStatus()
                .isForbidden();
        api.post("/v1/subscriptions", Api.basic(listed, "listed-secret-0123456789"), subscription(listed, closed))
                .expectStatus()
                .isCreated();
        api.post("/v1/subscriptions", ownerAuth, subscription(owner, closed))
                .expectStatus()
                .isCreated();
        // an open action (the default) says so
        api.get("/v1/actions/" + action, otherAuth)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.subscribers")
                .isEqualTo("open");
    }

    @Test
    void anApplicationTakenOffAnActionsSubscribersIsPausedAndCannotResume() {
        String name = SharedKafka.uniqueName("was-allowed");
        api.post("/v1/subscriptions", otherAuth, subscription(other, action, name))
                .expectStatus()
                .isCreated();
        api.patch("/v1/actions/" + action, otherAuth, "{\"subscribers\":[]}")
                .expectStatus()
                .isForbidden(); // only its owner decides

        api.patch("/v1/actions/" + action, ownerAuth, "{\"subscribers\":[]}")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.subscribers")
                .isEmpty();

        api.get("/v1/subscriptions/" + name, otherAuth)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("paused")
                .jsonPath("$.paused_reason")
                .value(reason -> assertThat(reason.toString()).contains("no longer allows"));
        api.patch("/v1/subscriptions/" + name, otherAuth, "{\"status\":\"active\"}")
                .expectStatus()
                .isForbidden();
        api.patch("/v1/actions/" + action, ownerAuth, "{\"subscribers\":\"open\"}")
                .expectStatus()
                .isOk();
        api.patch("/v1/subscriptions/" + name, otherAuth, "{\"status\":\"active\"}")
                .expectStatus()
                .isOk();
    }

    private static String subscription(String application, String action) {
        return subscription(application, action, SharedKafka.uniqueName("sub"));
    }

    private static String subscription(String application, String action, String name) {
        return "{\"application\":\"%s\",\"subscription\":\"%s\",\"action\":\"%s\",\"handler\":\"https://x.example.com/h\"}"
                .formatted(application, name, action);
    }

    private String tokenOf(String body) {
        return api.post("/v1/tokens", null, body)
                .expectStatus()
                .isOk()
                .expectBody(TokenBody.class)
                .returnResult()
                .getResponseBody()
                .token();
    }

    record TokenBody(String token) {}
}
