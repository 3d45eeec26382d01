package io.amebo.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The registry's endpoints beyond registration: lists, lookups, schema versions, updates and deletes. */
@RealInfrastructure
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s") // a shared CI machine can stall a request for seconds
@ActiveProfiles("test")
class RegistryEndpointsIT {

    private static final String OPEN_V1 =
            "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}},\"required\":[\"id\"]}";

    @Autowired
    private WebTestClient http;

    @Autowired
    private JsonMapper json;

    private Api api;
    private String app;
    private String auth;

    @BeforeEach
    void registerAnApplication() {
        api = new Api(http);
        app = SharedKafka.uniqueName("endpoints");
        api.application(app, "https://endpoints.example.com/base/", "endpoints-secret-0123456789");
        auth = Api.basic(app, "endpoints-secret-0123456789");
    }

    @Test
    void listsPageByPageInAStableOrderWithALinkToTheNextPage() {
        String prefix = SharedKafka.uniqueName("paged");
        for (int i = 0; i < 5; i++) {
            api.application(prefix + "-" + i, "https://paged.example.com", "paged-secret-0123456789");
        }

        String link = api.get("/v1/applications?application=" + prefix + "&pagination=2", Api.ADMIN)
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueMatches(HttpHeaders.LINK, "<.*page=2.*>; rel=\"next\"")
                .expectBody()
                .jsonPath("$.length()")
                .isEqualTo(2)
                .jsonPath("$[0].application")
                .isEqualTo(prefix + "-0")
                .returnResult()
                .getResponseHeaders()
                .getFirst(HttpHeaders.LINK);
        String next = link.substring(1, link.indexOf('>'));
        assertThat(next).contains("application=" + prefix);

        api.get(next, Api.ADMIN)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$[0].application")
                .isEqualTo(prefix + "-2");
        api.get("/v1/applications?application=" + prefix + "&page=3&pagination=2", Api.ADMIN)
                .expectStatus()
                .isOk()
                .expectHeader()
                .doesNotExist(HttpHeaders.LINK)
                .expectBody()
                .jsonPath("$.length()")
                .isEqualTo(1);
        // a last page that is full has no next page either
        api.get("/v1/applications?application=" + prefix + "&pagination=5", Api.ADMIN)
                .expectStatus()
                .isOk()
                .expectHeader()
                .doesNotExist(HttpHeaders.LINK)
                .expectBody()
                .jsonPath("$.length()")
                .isEqualTo(5);
        api.get("/v1/applications?pagination=101", Api.ADMIN)
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/pagination");
    }

    @Test
    void filtersByTimeWindow() {
        api.get("/v1/applications?application=" + app + "&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", auth)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.length()")
                .isEqualTo(1);
        api.get("/v1/applications?application=" + app + "&to=2000-01-01T00:00:00Z", auth)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.length()")
                .isEqualTo(0);
        api.get("/v1/applications?from=yesterday", auth).expectStatus().isBadRequest();
    }

    @Test
    void acceptsABackwardCompatibleSchemaVersionAndRefusesABreakingOne() {
        String action = SharedKafka.uniqueName("versioned");
        api.post(
                        "/v1/actions",
                        auth,
                        "{\"action\":\"%s\",\"application\":\"%s\",\"schemata\":%s}".formatted(action, app, OPEN_V1))
                .expectStatus()
                .isCreated();

        // making a required property optional widens what is accepted: backward compatible
        api.post(
                        "/v1/actions/" + action + "/schemata",
                        auth,
                        "{\"schemata\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}}}}")
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.version")
                .isEqualTo(2);
        // changing a property's type breaks readers of old events
        api.post(
                        "/v1/actions/" + action + "/schemata",
                        auth,
                        "{\"schemata\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}}")
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/schemata/properties/id");

        api.get("/v1/actions/" + action, auth)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.version")
                .isEqualTo(2)
                .jsonPath("$.versions.length()")
                .isEqualTo(2)
                .jsonPath("$.subscription_count")
                .isEqualTo(0);
        api.get("/v1/actions/" + action + "/schemata/1", auth)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.required[0]")
                .isEqualTo("id");
        api.get("/v1/actions/" + action + "/schemata/9", auth).expectStatus().isNotFound();
    }

    @Test
    void refusesADuplicateActionAndAnActionWhoseTopicCollidesInMetrics() {
        String action = SharedKafka.uniqueName("dup.action");
        String body = "{\"action\":\"%s\",\"application\":\"%s\",\"schemata\":{}}";
        api.post("/v1/actions", auth, body.formatted(action, app))
                .expectStatus()
                .isCreated();

        api.post("/v1/actions", auth, body.formatted(action, app))
                .expectStatus()
                .isEqualTo(409);
        api.post("/v1/actions", auth, body.formatted(action.replace('.', '_'), app))
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/action");
    }

    @Test
    void resolvesPathHandlersAgainstTheCurrentAddressAndPausesResumesAndDeletes() {
        String action = SharedKafka.uniqueName("sub.action");
        api.action(action, app, "{}");
        String subscription = SharedKafka.uniqueName("sub");
        api.post(
                        "/v1/subscriptions",
                        auth,
                        "{\"application\":\"%s\",\"subscription\":\"%s\",\"action\":\"%s\",\"handler\":\"/hooks/a\","
                                        .formatted(app, subscription, action)
                                + "\"max_retries\":3,\"ordered\":true,\"rate_limit\":10,\"description\":\"d\"}")
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.endpoint")
                .isEqualTo("https://endpoints.example.com/base/hooks/a");

        api.patch("/v1/applications/" + app, auth, "{\"address\":\"https://moved.example.com\"}")
                .expectStatus()
                .isOk();
        api.get("/v1/subscriptions/" + subscription, auth)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.endpoint")
                .isEqualTo("https://moved.example.com/hooks/a")
                .jsonPath("$.max_retries")
                .isEqualTo(3)
                .jsonPath("$.ordered")
                .isEqualTo(true);

        api.patch("/v1/subscriptions/" + subscription, auth, "{\"status\":\"paused\"}")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("paused")
                .jsonPath("$.paused_reason")
                .isEqualTo("paused by the subscriber");
        api.patch("/v1/subscriptions/" + subscription, auth, "{\"status\":\"active\",\"max_retries\":7}")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("active")
                .jsonPath("$.max_retries")
                .isEqualTo(7);
        api.get("/v1/subscriptions?action=" + action, auth)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.length()")
                .isEqualTo(1);
        api.get("/v1/actions/" + action, auth)
                .expectBody()
                .jsonPath("$.subscription_count")
                .isEqualTo(1);

        api.delete("/v1/applications/" + app, auth).expectStatus().isEqualTo(409);
        api.delete("/v1/subscriptions/" + subscription, auth).expectStatus().isNoContent();
        api.get("/v1/subscriptions/" + subscription, auth).expectStatus().isNotFound();
    }

    @Test
    void keepsASubscriptionsIdAcrossChangesAndGivesOneRecreatedUnderTheSameNameANewId(SharedKafka kafka) {
        String action = SharedKafka.uniqueName("id.action");
        api.action(action, app, "{}");
        String subscription = SharedKafka.uniqueName("id");
        String created = "{\"application\":\"%s\",\"subscription\":\"%s\",\"action\":\"%s\",\"handler\":\"/h\"}"
                .formatted(app, subscription, action);

        String first =
                idOf(api.post("/v1/subscriptions", auth, created).expectStatus().isCreated());
        assertThat(UUID.fromString(first)).hasToString(first);
        assertThat(idOf(api.get("/v1/subscriptions/" + subscription, auth)
                        .expectStatus()
                        .isOk()))
                .isEqualTo(first);
        assertThat(idOf(api.patch("/v1/subscriptions/" + subscription, auth, "{\"status\":\"paused\"}")
                        .expectStatus()
                        .isOk()))
                .isEqualTo(first);
        assertThat(idOf(api.patch("/v1/subscriptions/" + subscription, auth, "{\"handler\":\"/other\"}")
                        .expectStatus()
                        .isOk()))
                .isEqualTo(first);
        awaitChangelogId(kafka, subscription, first);

        api.delete("/v1/subscriptions/" + subscription, auth).expectStatus().isNoContent();
        String second =
                idOf(api.post("/v1/subscriptions", auth, created).expectStatus().isCreated());

        assertThat(second).isNotEqualTo(first);
        assertThat(idOf(api.get("/v1/subscriptions?action=" + action, auth)
                        .expectStatus()
                        .isOk()))
                .isEqualTo(second);
        awaitChangelogId(kafka, subscription, second);
    }

    /** The {@code id} of the subscription in a response, or of the first one in a list. */
    private String idOf(WebTestClient.ResponseSpec response) {
        JsonNode body =
                json.readTree(response.expectBody(String.class).returnResult().getResponseBody());
        return (body.isArray() ? body.get(0) : body).get("id").asString();
    }

    private void awaitChangelogId(SharedKafka kafka, String subscription, String id) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                RegistryChangelog.read(kafka, "amebo.registry").get("subscription/" + subscription))
                        .hasValueSatisfying(value -> assertThat(
                                        json.readTree(value).get("id").asString())
                                .isEqualTo(id)));
    }

    @Test
    void createsAnActionsTopicWithTheBrokersAppendTimeAsTimestamps(SharedKafka kafka) throws Exception {
        String action = SharedKafka.uniqueName("stamped");
        String topic = json.readTree(api.post(
                                "/v1/actions",
                                auth,
                                "{\"action\":\"%s\",\"application\":\"%s\",\"schemata\":{}}".formatted(action, app))
                        .expectStatus()
                        .isCreated()
                        .expectBody(String.class)
                        .returnResult()
                        .getResponseBody())
                .get("topic")
                .asString();

        assertThat(EventTopics.timestampType(kafka, topic)).isEqualTo("LogAppendTime");
    }

    @Test
    void startsANewSubscriptionInThePastOnlyWithinItsActionsRetention() {
        String action = SharedKafka.uniqueName("backfilled.action");
        api.post(
                        "/v1/actions",
                        auth,
                        "{\"action\":\"%s\",\"application\":\"%s\",\"schemata\":{},\"retention\":\"2h\"}"
                                .formatted(action, app))
                .expectStatus()
                .isCreated();
        String subscription = SharedKafka.uniqueName("backfilled");
        String create = "{\"application\":\"%s\",\"subscription\":\"%s\",\"action\":\"%s\",\"handler\":\"/h\","
                .formatted(app, subscription, action);
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);

        for (String bad : new String[] {
            now.minus(Duration.ofHours(3)).toString(),
            now.plus(Duration.ofHours(1)).toString(),
            "yesterday",
            "2026-01-01"
        }) {
            api.post("/v1/subscriptions", auth, create + "\"backfill_from\":\"" + bad + "\"}")
                    .expectStatus()
                    .isEqualTo(422)
                    .expectBody()
                    .jsonPath("$.errors[0].pointer")
                    .isEqualTo("/backfill_from");
        }
        String start = now.minus(Duration.ofMinutes(90)).toString();
        api.post("/v1/subscriptions", auth, create + "\"backfill_from\":\"" + start + "\"}")
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.backfill_from")
                .isEqualTo(start);
        // set when it is made: moving it is a replay's job
        api.patch(
                        "/v1/subscriptions/" + subscription,
                        auth,
                        "{\"backfill_from\":\"" + now.minus(Duration.ofMinutes(100)) + "\"}")
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/backfill_from");
        api.patch("/v1/subscriptions/" + subscription, auth, "{\"backfill_from\":\"" + start + "\"}")
                .expectStatus()
                .isOk();
    }

    @Test
    void checksAFilterAgainstTheActionsSchemaAndKeepsItWithTheSubscription() {
        String action = SharedKafka.uniqueName("filtered.action");
        api.action(action, app, """
                {"type": "object", "additionalProperties": false,
                 "properties": {"plan": {"enum": ["free", "premium"]},
                                "items": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                                          "properties": {"sku": {"type": "string"}}}}}}""");
        String subscription = SharedKafka.uniqueName("filtered");
        String create = "{\"application\":\"%s\",\"subscription\":\"%s\",\"action\":\"%s\",\"handler\":\"/h\","
                .formatted(app, subscription, action);

        api.post("/v1/subscriptions", auth, create + "\"filter\":{\"payload.plann\":\"premium\"}}")
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/filter/payload.plann");
        api.post("/v1/subscriptions", auth, create + "\"filter\":{\"payload.plan\":\"premum\"}}")
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/filter/payload.plan");
        api.post("/v1/subscriptions", auth, create + "\"filter\":{\"payload.plan\":{\"$regex\":\"p.*\"}}}")
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/filter/payload.plan/$regex");
        api.post("/v1/subscriptions", auth, create + "\"filter\":\"x\"}")
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/filter");
        api.get("/v1/subscriptions/" + subscription, auth).expectStatus().isNotFound();

        api.post(
                        "/v1/subscriptions",
                        auth,
                        create + "\"filter\":{\"payload.plan\":{\"$in\":[\"premium\"]},\"payload.items.sku\":\"b\"}}")
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.filter['payload.plan']['$in'][0]")
                .isEqualTo("premium");
        api.patch("/v1/subscriptions/" + subscription, auth, "{\"filter\":{\"payload.items.name\":\"b\"}}")
                .expectStatus()
                .isEqualTo(422);
        api.patch("/v1/subscriptions/" + subscription, auth, "{\"paused_reason\":5}")
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/paused_reason");
        // without a credential, even a kind that does not exist is not judged
        api.get("/v1/registry/nonsense/" + subscription, null).expectStatus().isUnauthorized();
        api.patch("/v1/subscriptions/" + subscription, auth, "{\"description\":\"kept\"}")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.filter['payload.items.sku']")
                .isEqualTo("b");
        api.patch("/v1/subscriptions/" + subscription, auth, "{\"filter\":null}")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.filter")
                .doesNotExist();
    }

    @Test
    void deletesAnApplicationThatOwnsNothing() {
        String lonely = SharedKafka.uniqueName("lonely");
        api.application(lonely, "https://lonely.example.com", "lonely-secret-0123456789");

        api.delete("/v1/applications/" + lonely, Api.ADMIN).expectStatus().isNoContent();
        api.get("/v1/applications/" + lonely, Api.ADMIN).expectStatus().isNotFound();
        api.get("/v1/applications/" + lonely, Api.basic(lonely, "lonely-secret-0123456789"))
                .expectStatus()
                .isUnauthorized();
    }

    @Test
    void takesTheOriginalsPassphraseAndLocationForSecretAndAddressButNotBothNamesAtOnce() {
        String name = SharedKafka.uniqueName("original");
        api.post("/v1/applications", Api.ADMIN, """
                        {"application": "%s", "address": "https://original.example.com",
                         "passphrase": "original-passphrase-0123"}""".formatted(name))
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.secret")
                .isEqualTo("original-passphrase-0123");
        String auth = Api.basic(name, "original-passphrase-0123");
        api.get("/v1/applications/" + name, auth).expectStatus().isOk();

        String both = SharedKafka.uniqueName("both");
        api.post("/v1/applications", Api.ADMIN, """
                        {"application": "%s", "address": "https://original.example.com",
                         "secret": "one-secret-0123456789", "passphrase": "another-secret-0123456"}""".formatted(both))
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/passphrase");
        String weak = SharedKafka.uniqueName("weak");
        api.post("/v1/applications", Api.ADMIN, """
                        {"application": "%s", "address": "https://weak.example.com", "passphrase": "short"}""".formatted(weak))
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/passphrase");

        // the original's update names: location for the address, passphrase for the secret
        api.patch("/v1/applications/" + name, auth, "{\"location\": \"https://moved.example.com\"}")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.address")
                .isEqualTo("https://moved.example.com");
        api.patch("/v1/applications/" + name, auth, """
                        {"address": "https://a.example.com", "location": "https://b.example.com"}""")
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/location");
        api.patch("/v1/applications/" + name, auth, """
                        {"secret": "one-secret-0123456789", "passphrase": "another-secret-0123456"}""")
                .expectStatus()
                .isEqualTo(422)
                .expectBody()
                .jsonPath("$.errors[0].pointer")
                .isEqualTo("/passphrase");
        api.patch("/v1/applications/" + name, auth, """
                        {"passphrase": "rotated-passphrase-0123", "revoke_previous": true}""")
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.secret")
                .isEqualTo("rotated-passphrase-0123");
        api.get("/v1/applications/" + name, Api.basic(name, "rotated-passphrase-0123"))
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.address")
                .isEqualTo("https://moved.example.com");
        api.get("/v1/applications/" + name, auth).expectStatus().isUnauthorized();
    }

    @Test
    void answersHealthReadinessAndPrometheusMetricsWithoutAuthentication() {
        api.get("/health", null)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP")
                .jsonPath("$.components.kafka.status")
                .isEqualTo("UP")
                .jsonPath("$.components.r2dbc.status")
                .isEqualTo("UP")
                .jsonPath("$.components.diskSpace.status")
                .isEqualTo("UP");
        api.get("/health/ready", null)
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.components.r2dbc.status")
                .isEqualTo("UP");
        api.get("/metrics", null)
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(body ->
                        assertThat(body).contains("jvm_memory_used_bytes").contains("service=\"registry\""));
    }

    @Test
    void answersUnknownPathsAndMethodsWithProblems() {
        api.get("/v1/nothing-here", Api.ADMIN)
                .expectStatus()
                .isNotFound()
                .expectHeader()
                .contentType("application/problem+json");
        api.get("/v1/actions/" + SharedKafka.uniqueName("missing"), Api.ADMIN)
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.error")
                .value(error -> assertThat(error.toString()).startsWith("no action named"));
    }
}
