package io.amebo.client;

import static io.amebo.client.FakeAmebo.Response;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class RegistrationTest {

    private FakeAmebo amebo;
    private final TestClients clients = new TestClients();
    private AmeboClient admin;

    @BeforeEach
    void start() throws Exception {
        amebo = new FakeAmebo();
        admin = AmeboClient.builder()
                .baseUrl(amebo.url())
                .adminToken("admin-token")
                .build();
    }

    @AfterEach
    void stop() {
        amebo.close();
    }

    @Test
    void registersAnApplicationAndShowsItsSecretThisOnce() {
        amebo.answer(
                "POST",
                "/v1/applications",
                Response.json(
                        201,
                        "{\"application\":\"user-service\",\"address\":\"https://users.myapp.com\","
                                + "\"timestamped\":\"2026-03-01T12:00:00Z\",\"secret\":\"user-service-secret\"}"));

        Application created =
                admin.applications().create("user-service", "https://users.myapp.com", "user-service-secret");

        assertThat(created.secret()).isEqualTo("user-service-secret");
        assertThat(created.timestamped()).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
        JsonNode body = amebo.requests("POST", "/v1/applications").get(0).json();
        assertThat(body.path("application").asString()).isEqualTo("user-service");
        assertThat(body.path("address").asString()).isEqualTo("https://users.myapp.com");
        assertThat(body.path("secret").asString()).isEqualTo("user-service-secret");
    }

    @Test
    void letsAnAdminActAsAnApplicationItRegistered() {
        amebo.issueTokens("user-service", "user-service-secret", 3600);
        amebo.answer("GET", "/v1/events/AQAB", Response.json(200, "{\"id\":\"AQAB\"}"));

        admin.withApplication("user-service", "user-service-secret").getEvent("AQAB");

        assertThat(amebo.requests("GET", "/v1/events/AQAB").get(0).header("Authorization"))
                .isEqualTo("Bearer t1");
    }

    @Test
    void listsFollowTheNextLinkPageAfterPageAsTheStreamIsConsumed() {
        amebo.on(
                "GET",
                "/v1/applications",
                request -> "1".equals(request.param("page"))
                        ? Response.json(200, applications(0, 100))
                                .with("Link", "</v1/applications?address=myapp&page=2&pagination=100>; rel=\"next\"")
                        : Response.json(200, applications(100, 3)));

        var stream = admin.applications().list(Applications.Filter.ALL.withAddress("myapp"));
        assertThat(amebo.requests("GET", "/v1/applications")).hasSize(1);
        List<Application> all = stream.toList();

        assertThat(all).hasSize(103);
        assertThat(all.get(102).application()).isEqualTo("app-102");
        assertThat(amebo.requests("GET", "/v1/applications"))
                .extracting(r -> r.param("page") + "/" + r.param("pagination") + "/" + r.param("address"))
                .containsExactly("1/100/myapp", "2/100/myapp");
    }

    @Test
    void aFullPageWithoutANextLinkIsTheLastPage() {
        amebo.answer(
                "GET",
                "/v1/applications",
                Response.json(200, applications(0, 100)).with("Link", "</x>; rel=\"prev\""));

        assertThat(admin.applications().list()).hasSize(100);
        assertThat(amebo.requests("GET", "/v1/applications")).hasSize(1);
    }

    @Test
    void aFullPageFromAServerThatSendsNoLinksMayHaveANextOne() {
        amebo.on(
                "GET",
                "/v1/gists",
                request ->
                        "1".equals(request.param("page")) ? Response.json(200, gists(100)) : Response.json(200, "[]"));

        assertThat(admin.gists().list()).hasSize(100);
        assertThat(amebo.requests("GET", "/v1/gists")).hasSize(2);
    }

    @Test
    void readsAnActionOpenToAllOrToSomeSubscribers() {
        amebo.answer("GET", "/v1/actions/user.created", Response.json(200, """
                        {"action":"user.created","application":"user-service","schemata":{"type":"object"},
                         "version":2,"versions":[{"version":1,"timestamped":"2026-01-01T00:00:00Z"},
                                                 {"version":2,"timestamped":"2026-02-01T00:00:00Z"}],
                         "topic":"amebo.user.created","partitions":3,"retention":"7d","partition_key":"/user_id",
                         "compatibility":"backward","description":null,"subscribers":"open",
                         "subscription_count":2,"timestamped":"2026-01-01T00:00:00Z"}"""));
        amebo.answer(
                "GET",
                "/v1/actions/order.placed",
                Response.json(
                        200, "{\"action\":\"order.placed\",\"subscribers\":[\"analytics-service\"],\"version\":1}"));

        Action open = admin.actions().get("user.created");
        Action closed = admin.actions().get("order.placed");

        assertThat(open.openToAll()).isTrue();
        assertThat(open.subscribers()).isNull();
        assertThat(open.versions()).extracting(Action.Version::version).containsExactly(1, 2);
        assertThat(open.partitionKey()).isEqualTo("/user_id");
        assertThat(open.subscriptionCount()).isEqualTo(2);
        assertThat(open.schemata().path("type").asString()).isEqualTo("object");
        assertThat(closed.openToAll()).isFalse();
        assertThat(closed.subscribers()).containsExactly("analytics-service");
        assertThat(closed.versions()).isEmpty();
    }

    @Test
    void registersAnActionWithOnlyTheSettingsGiven() {
        amebo.answer("POST", "/v1/actions", Response.json(201, "{\"action\":\"user.created\",\"version\":1}"));

        admin.actions()
                .create(NewAction.of(
                                "user.created",
                                "user-service",
                                Map.of("type", "object", "required", List.of("user_id")))
                        .withPartitions(6)
                        .withPartitionKey("/user_id")
                        .withSubscribers(List.of("email-service")));

        JsonNode body = amebo.requests("POST", "/v1/actions").get(0).json();
        assertThat(body.path("schemata").path("required").get(0).asString()).isEqualTo("user_id");
        assertThat(body.path("partitions").asInt()).isEqualTo(6);
        assertThat(body.path("partition_key").asString()).isEqualTo("/user_id");
        assertThat(body.path("subscribers").get(0).asString()).isEqualTo("email-service");
        assertThat(body.has("retention")).isFalse();
        assertThat(body.has("compatibility")).isFalse();
    }

    @Test
    void opensAnActionToAllWithTheWordOpen() {
        amebo.answer("PATCH", "/v1/actions/user.created", Response.json(200, "{\"subscribers\":\"open\"}"));

        Action updated = admin.actions().update("user.created", ActionUpdate.NONE.withOpenToAll());

        assertThat(updated.openToAll()).isTrue();
        assertThat(amebo.requests("PATCH", "/v1/actions/user.created")
                        .get(0)
                        .json()
                        .path("subscribers")
                        .asString())
                .isEqualTo("open");
    }

    @Test
    void addsAndReadsSchemaVersions() {
        amebo.answer(
                "POST",
                "/v1/actions/user.created/schemata",
                Response.json(201, "{\"action\":\"user.created\",\"version\":2,\"schemata\":{\"type\":\"object\"}}"));
        amebo.answer(
                "GET",
                "/v1/actions/user.created/schemata/1",
                new Response(200, Map.of("Content-Type", "application/schema+json"), "{\"type\":\"object\"}"));

        SchemaVersion added = admin.actions().addSchemaVersion("user.created", "{\"type\":\"object\"}");
        SchemaVersion first = admin.actions().getSchemaVersion("user.created", 1);

        assertThat(added.version()).isEqualTo(2);
        assertThat(amebo.requests("POST", "/v1/actions/user.created/schemata")
                        .get(0)
                        .json()
                        .path("schemata")
                        .asString())
                .isEqualTo("{\"type\":\"object\"}"); // a string holding JSON, as Amebo accepts
        assertThat(first)
                .isEqualTo(new SchemaVersion("user.created", 1, FakeAmebo.JSON.readTree("{\"type\":\"object\"}")));
    }

    @Test
    void subscribesPausesAndResumes() {
        String view = """
                {"id":"9b1","subscription":"welcome-emails","application":"email-service","action":"user.created",
                 "handler":"/webhooks/user-created","endpoint":"https://email.myapp.com/webhooks/user-created",
                 "max_retries":5,"ordered":false,"rate_limit":null,"description":null,"status":"%s",
                 "paused_reason":%s,"timestamped":"2026-03-01T12:00:00Z"}""";
        amebo.answer("POST", "/v1/subscriptions", Response.json(201, view.formatted("active", "null")));
        amebo.on(
                "PATCH",
                "/v1/subscriptions/welcome-emails",
                request -> Response.json(
                        200,
                        request.json().path("status").asString().equals("paused")
                                ? view.formatted("paused", "\"paused by the admin\"")
                                : view.formatted("active", "null")));

        Subscription created = admin.subscriptions()
                .create(NewSubscription.of("email-service", "welcome-emails", "user.created", "/webhooks/user-created")
                        .withMaxRetries(5)
                        .withOrdered(true));
        Subscription paused = admin.subscriptions().pause("welcome-emails");
        Subscription resumed = admin.subscriptions().resume("welcome-emails");

        assertThat(created.endpoint()).isEqualTo("https://email.myapp.com/webhooks/user-created");
        assertThat(created.maxRetries()).isEqualTo(5);
        assertThat(created.rateLimit()).isNull();
        assertThat(paused.pausedReason()).isEqualTo("paused by the admin");
        assertThat(resumed.status()).isEqualTo("active");
        JsonNode body = amebo.requests("POST", "/v1/subscriptions").get(0).json();
        assertThat(body.path("max_retries").asInt()).isEqualTo(5);
        assertThat(body.path("ordered").asBoolean()).isTrue();
        assertThat(body.has("rate_limit")).isFalse();
    }

    @Test
    void replaysATimeRangeAndFollowsItsProgress() {
        amebo.answer(
                "POST",
                "/v1/subscriptions/welcome-emails/replay",
                Response.json(
                        202,
                        "{\"replay\":\"r1\",\"subscription\":\"welcome-emails\",\"from\":\"2026-01-01T00:00:00Z\","
                                + "\"to\":\"2026-02-01T00:00:00Z\",\"status\":\"running\",\"total\":null,"
                                + "\"settled\":0,\"delivered\":0,\"retrying\":0,\"dead\":0}"));
        amebo.answer(
                "GET",
                "/v1/subscriptions/welcome-emails/replays/r1",
                Response.json(
                        200,
                        "{\"replay\":\"r1\",\"status\":\"done\",\"total\":4,\"settled\":4,\"delivered\":3,\"dead\":1}"));

        Replay started = admin.subscriptions()
                .replay("welcome-emails", Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-02-01T00:00:00Z"));
        Replay done = admin.subscriptions().getReplay("welcome-emails", started.replay());

        assertThat(started.finished()).isFalse();
        assertThat(started.total()).isNull();
        assertThat(done.finished()).isTrue();
        assertThat(done.delivered()).isEqualTo(3);
        assertThat(done.dead()).isEqualTo(1);
        JsonNode body = amebo.requests("POST", "/v1/subscriptions/welcome-emails/replay")
                .get(0)
                .json();
        assertThat(body.path("from").asString()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(body.path("to").asString()).isEqualTo("2026-02-01T00:00:00Z");
    }

    @Test
    void redeliversOneDeliveryOrEveryDeadOne() {
        amebo.answer(
                "POST",
                "/v1/regists/g-1",
                Response.json(
                        200, "{\"gist\":\"g-1\",\"attempt\":1,\"delivered\":false,\"status\":500,\"error\":\"boom\"}"));
        amebo.answer(
                "POST",
                "/v1/subscriptions/welcome-emails/redeliver",
                Response.json(202, "{\"subscription\":\"welcome-emails\",\"requeued\":7}"));

        Redelivery redelivery = admin.gists().redeliver("g-1");
        long requeued = admin.subscriptions().redeliverDead("welcome-emails");

        assertThat(redelivery).isEqualTo(new Redelivery("g-1", 1, false, 500, "boom"));
        assertThat(requeued).isEqualTo(7);
        assertThat(amebo.requests("POST", "/v1/subscriptions/welcome-emails/redeliver")
                        .get(0)
                        .json()
                        .path("status")
                        .asString())
                .isEqualTo("dead");
    }

    @Test
    void filtersTheDeliveryLog() {
        amebo.answer("GET", "/v1/gists", Response.json(200, gists(1)));

        List<Gist> dead = admin.gists()
                .list(Gists.Filter.ALL
                        .withSubscription("welcome-emails")
                        .withStatus("dead")
                        .withRecorded(Instant.parse("2026-01-01T00:00:00Z"), null))
                .toList();

        assertThat(dead).singleElement().satisfies(g -> {
            assertThat(g.lastStatus()).isEqualTo(500);
            assertThat(g.responseExcerpt()).isEqualTo("oops");
        });
        assertThat(amebo.requests("GET", "/v1/gists").get(0).params())
                .containsEntry("subscription", List.of("welcome-emails"))
                .containsEntry("status", List.of("dead"))
                .containsEntry("from", List.of("2026-01-01T00:00:00Z"))
                .doesNotContainKey("to");
    }

    private static String applications(int first, int count) {
        return IntStream.range(first, first + count)
                .mapToObj(i -> "{\"application\":\"app-" + i + "\",\"address\":\"https://myapp/" + i + "\"}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    private static String gists(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> "{\"gist\":\"g-" + i + "\",\"subscription\":\"welcome-emails\",\"status\":\"dead\","
                        + "\"attempts\":5,\"last_status\":500,\"response_excerpt\":\"oops\"}")
                .collect(Collectors.joining(",", "[", "]"));
    }
}
