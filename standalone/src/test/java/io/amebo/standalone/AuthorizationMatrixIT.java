package io.amebo.standalone;

import static io.amebo.standalone.AuthorizationMatrixIT.Caller.ADMIN;
import static io.amebo.standalone.AuthorizationMatrixIT.Caller.ALLOWED_SUBSCRIBER;
import static io.amebo.standalone.AuthorizationMatrixIT.Caller.DELETED_APPLICATION;
import static io.amebo.standalone.AuthorizationMatrixIT.Caller.NOT_ALLOWED_SUBSCRIBER;
import static io.amebo.standalone.AuthorizationMatrixIT.Caller.OWNER;
import static io.amebo.standalone.AuthorizationMatrixIT.Caller.ROTATED_OUT_SECRET;
import static io.amebo.standalone.AuthorizationMatrixIT.Caller.UNRELATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.contract.EventId;
import io.amebo.platform.auth.ApplicationSecrets;
import io.amebo.platform.auth.Credential;
import io.amebo.platform.auth.SecretCipher;
import io.amebo.platform.auth.TokenService;
import io.amebo.testkit.WebhookReceiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The authorization matrix (DESIGN §4.1): every route of every service, on the standalone, called by every kind of
 * caller, with the exact status each must answer. {@link #MATRIX} is the one place the rules are written down: a
 * test checks that it covers every route the running product serves, and that the README's "who" column says, for
 * each route, what the row says.
 *
 * <p>The world the calls run in: {@code owner-app} owns the action {@code matrix.guarded}, whose {@code subscribers}
 * list names {@code allowed-app} only; {@code removed-app} subscribed while it was on the list and was taken off it
 * (its subscription is paused and it may no longer read); {@code unrelated-app} has nothing to do with any of it;
 * {@code deleted-app} was deleted after it got a token; {@code owner-app} rotated its secret, and the previous one's
 * grace has run out.
 */
class AuthorizationMatrixIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ACTION = "matrix.guarded";
    private static final String OWNER_APP = "owner-app";
    private static final String ALLOWED_APP = "allowed-app";
    private static final String REMOVED_APP = "removed-app";
    private static final String UNRELATED_APP = "unrelated-app";
    private static final String DELETED_APP = "deleted-app";
    private static final String ALLOWED_SUBSCRIPTION = "allowed-sub";
    private static final String REMOVED_SUBSCRIPTION = "removed-sub";
    private static final String OLD_OWNER_SECRET = "owner-secret-before-rotation";
    private static final String OWNER_SECRET = "owner-secret-after-rotation";

    /** Every kind of caller, in the order of each row's statuses. */
    enum Caller {
        ANONYMOUS,
        MALFORMED_TOKEN,
        EXPIRED_TOKEN,
        DELETED_APPLICATION,
        ROTATED_OUT_SECRET,
        UNRELATED,
        OWNER,
        ALLOWED_SUBSCRIBER,
        NOT_ALLOWED_SUBSCRIBER,
        ADMIN
    }

    /** One request to send: path with query, JSON body or none. */
    record Call(String method, String uri, String body) {}

    /**
     * A row: a route (as its router declares it), what the calls target, the README's "who" for the route, how to
     * build the request for a caller (which may create what the call consumes), and the status for each caller.
     */
    record Row(
            String route,
            String target,
            String readmeRoute,
            String who,
            BiFunction<World, Caller, Call> request,
            Map<Caller, Integer> expected) {}

    // The README's "who" for each route: the matrix's rows below must agree with them.
    private static final String ANYONE_WITH_A_SECRET = "anyone with a secret";
    private static final String ADMIN_ONLY = "admin";
    private static final String ANY_CALLER = "any authenticated caller";
    private static final String THE_APPLICATION = "admin or its current secret";
    private static final String THE_OWNER = "owner or admin";
    private static final String THE_SUBSCRIBER = "the subscriber or admin";
    private static final String THE_SUBSCRIBER_TO_CHANGE =
            "the subscriber or admin; resuming, only while the action's owner allows the subscriber";
    private static final String AN_ALLOWED_SUBSCRIBER =
            "the subscriber or admin, while the action's owner allows the subscriber";
    private static final String READERS = "owner, admin, or a subscriber the owner allows";
    private static final String ANYONE = "anyone";

    private static final List<Row> MATRIX = List.of(
            // the registry
            row(
                    "POST /v1/tokens",
                    "a caller's own secret",
                    "POST /v1/tokens",
                    ANYONE_WITH_A_SECRET,
                    (w, c) -> new Call("POST", "/v1/tokens", w.login(c, "application", "secret")),
                    bodyAuthenticated(200, 200, 200, 200)),
            row(
                    "POST /v8/tokens",
                    "a caller's own secret, as the original sends it",
                    "POST /v1/tokens",
                    ANYONE_WITH_A_SECRET,
                    (w, c) -> new Call("POST", "/v8/tokens", w.login(c, "username", "password")),
                    bodyAuthenticated(200, 200, 200, 200)),
            row(
                    "POST /v1/applications",
                    "a new application",
                    "POST /v1/applications",
                    ADMIN_ONLY,
                    (w, c) -> new Call("POST", "/v1/applications", """
                            {"application": "%s", "address": "%s"}""".formatted(w.fresh("new-app"), w.address())),
                    signedIn(403, 403, 403, 403, 201)),
            row(
                    "GET /v1/applications",
                    "all",
                    "GET /v1/applications[/{name}]",
                    ANY_CALLER,
                    (w, c) -> new Call("GET", "/v1/applications", null),
                    signedIn(200, 200, 200, 200, 200)),
            row(
                    "GET /v1/applications/{name}",
                    OWNER_APP,
                    "GET /v1/applications[/{name}]",
                    ANY_CALLER,
                    (w, c) -> new Call("GET", "/v1/applications/" + OWNER_APP, null),
                    signedIn(200, 200, 200, 200, 200)),
            row(
                    "PATCH /v1/applications/{name}",
                    OWNER_APP + ", its address",
                    "PATCH /v1/applications/{name}",
                    THE_APPLICATION,
                    (w, c) -> new Call("PATCH", "/v1/applications/" + OWNER_APP, """
                            {"address": "%s"}""".formatted(w.address())),
                    signedIn(403, 200, 403, 403, 200)),
            row(
                    "PUT /v1/applications/{name}",
                    OWNER_APP + ", its address",
                    "PATCH /v1/applications/{name}",
                    THE_APPLICATION,
                    (w, c) -> new Call("PUT", "/v1/applications/" + OWNER_APP, """
                            {"address": "%s"}""".formatted(w.address())),
                    signedIn(403, 200, 403, 403, 200)),
            row(
                    "DELETE /v1/applications/{name}",
                    OWNER_APP + ", which owns an action",
                    "DELETE /v1/applications/{name}",
                    THE_APPLICATION,
                    (w, c) -> new Call("DELETE", "/v1/applications/" + OWNER_APP, null),
                    signedIn(403, 409, 403, 403, 409)),
            row(
                    "POST /v1/actions",
                    "a new action of " + OWNER_APP,
                    "POST /v1/actions",
                    THE_OWNER,
                    (w, c) -> new Call("POST", "/v1/actions", """
                            {"action": "%s", "application": "%s", "partitions": 1, "schemata": {"type": "object"}}""".formatted(w.fresh("matrix.new"), OWNER_APP)),
                    signedIn(403, 201, 403, 403, 201)),
            row(
                    "GET /v1/actions",
                    "all",
                    "GET /v1/actions[/{name}]",
                    ANY_CALLER,
                    (w, c) -> new Call("GET", "/v1/actions", null),
                    signedIn(200, 200, 200, 200, 200)),
            row(
                    "GET /v1/actions/{name}",
                    ACTION,
                    "GET /v1/actions[/{name}]",
                    ANY_CALLER,
                    (w, c) -> new Call("GET", "/v1/actions/" + ACTION, null),
                    signedIn(200, 200, 200, 200, 200)),
            row(
                    "PATCH /v1/actions/{name}",
                    ACTION + ", its description",
                    "PATCH /v1/actions/{name}",
                    THE_OWNER,
                    (w, c) -> new Call("PATCH", "/v1/actions/" + ACTION, """
                            {"description": "%s"}""".formatted(w.fresh("described"))),
                    signedIn(403, 200, 403, 403, 200)),
            row(
                    "POST /v1/actions/{name}/schemata",
                    ACTION + ", a compatible version",
                    "POST /v1/actions/{name}/schemata",
                    THE_OWNER,
                    (w, c) ->
                            new Call("POST", "/v1/actions/" + ACTION + "/schemata", """
                            {"schemata": {"type": "object", "description": "%s",
                              "properties": {"n": {"type": "integer"}}}}""".formatted(w.fresh("version"))),
                    signedIn(403, 201, 403, 403, 201)),
            row(
                    "GET /v1/actions/{name}/schemata/{version}",
                    ACTION + ", version 1",
                    "GET /v1/actions/{name}/schemata/{version}",
                    ANY_CALLER,
                    (w, c) -> new Call("GET", "/v1/actions/" + ACTION + "/schemata/1", null),
                    signedIn(200, 200, 200, 200, 200)),
            row(
                    "POST /v1/subscriptions",
                    "the caller subscribing itself (the admin: " + ALLOWED_APP + ")",
                    "POST /v1/subscriptions",
                    "the subscriber or admin, if the action's owner allows the subscriber",
                    (w, c) -> new Call("POST", "/v1/subscriptions", w.subscription(w.applicationOf(c))),
                    signedIn(403, 201, 201, 403, 201)),
            row(
                    "POST /v1/subscriptions",
                    "subscribing " + ALLOWED_APP,
                    "POST /v1/subscriptions",
                    "the subscriber or admin, if the action's owner allows the subscriber",
                    (w, c) -> new Call("POST", "/v1/subscriptions", w.subscription(ALLOWED_APP)),
                    signedIn(403, 403, 201, 403, 201)),
            row(
                    "GET /v1/subscriptions",
                    "the caller's own",
                    "GET /v1/subscriptions[/{name}]",
                    THE_SUBSCRIBER,
                    (w, c) -> new Call("GET", "/v1/subscriptions", null),
                    signedIn(200, 200, 200, 200, 200)),
            row(
                    "GET /v1/subscriptions/{name}",
                    ALLOWED_SUBSCRIPTION,
                    "GET /v1/subscriptions[/{name}]",
                    THE_SUBSCRIBER,
                    (w, c) -> new Call("GET", "/v1/subscriptions/" + ALLOWED_SUBSCRIPTION, null),
                    signedIn(403, 403, 200, 403, 200)),
            row(
                    "PATCH /v1/subscriptions/{name}",
                    ALLOWED_SUBSCRIPTION + ", its description",
                    "PATCH /v1/subscriptions/{name}",
                    THE_SUBSCRIBER_TO_CHANGE,
                    (w, c) -> new Call(
                            "PATCH", "/v1/subscriptions/" + ALLOWED_SUBSCRIPTION, """
                            {"description": "%s"}""".formatted(w.fresh("described"))),
                    signedIn(403, 403, 200, 403, 200)),
            row(
                    "PATCH /v1/subscriptions/{name}",
                    REMOVED_SUBSCRIPTION + ", resumed after its subscriber was " + "taken off the action's subscribers",
                    "PATCH /v1/subscriptions/{name}",
                    THE_SUBSCRIBER_TO_CHANGE,
                    (w, c) -> new Call("PATCH", "/v1/subscriptions/" + REMOVED_SUBSCRIPTION, """
                            {"status": "active"}"""),
                    signedIn(403, 403, 403, 403, 403)),
            row(
                    "DELETE /v1/subscriptions/{name}",
                    "a new subscription of " + ALLOWED_APP,
                    "DELETE /v1/subscriptions/{name}",
                    THE_SUBSCRIBER,
                    (w, c) -> new Call("DELETE", "/v1/subscriptions/" + w.newSubscriptionOf(ALLOWED_APP), null),
                    signedIn(403, 403, 204, 403, 204)),
            row(
                    "GET /v1/registry/{kind}/{name}",
                    "action " + ACTION,
                    "GET /v1/registry/{kind}/{name}",
                    ADMIN_ONLY,
                    (w, c) -> new Call("GET", "/v1/registry/action/" + ACTION, null),
                    signedIn(403, 403, 403, 403, 200)),
            // the gateway
            row(
                    "POST /v1/events",
                    ACTION,
                    "POST /v1/events",
                    THE_OWNER,
                    (w, c) -> new Call("POST", "/v1/events", """
                            {"action": "%s", "payload": {"n": 1}}""".formatted(ACTION)),
                    signedIn(403, 201, 403, 403, 201)),
            row(
                    "POST /v1/events/batch",
                    ACTION,
                    "POST /v1/events/batch",
                    THE_OWNER,
                    (w, c) -> new Call("POST", "/v1/events/batch", """
                            [{"action": "%s", "payload": {"n": 2}}]""".formatted(ACTION)),
                    signedIn(403, 200, 403, 403, 200)),
            row(
                    "GET /v1/events",
                    ACTION,
                    "GET /v1/events",
                    READERS,
                    (w, c) -> new Call("GET", "/v1/events?action=" + ACTION + "&from=" + w.start, null),
                    signedIn(403, 200, 200, 403, 200)),
            row(
                    "GET /v1/events/{id}",
                    "an event of " + ACTION,
                    "GET /v1/events/{id}",
                    READERS,
                    (w, c) -> new Call("GET", "/v1/events/" + w.event, null),
                    signedIn(403, 200, 200, 403, 200)),
            // the dispatcher
            row(
                    "GET /v1/gists",
                    "the caller's own",
                    "GET /v1/gists",
                    "any authenticated caller, for the " + "deliveries of its own subscriptions (the admin: all)",
                    (w, c) -> new Call("GET", "/v1/gists", null),
                    signedIn(200, 200, 200, 200, 200)),
            row(
                    "POST /v1/regists/{gist}",
                    "a delivery of " + ALLOWED_SUBSCRIPTION,
                    "POST /v1/regists/{gist}",
                    AN_ALLOWED_SUBSCRIBER,
                    (w, c) -> new Call("POST", "/v1/regists/" + w.allowedGist, null),
                    signedIn(403, 403, 200, 403, 200)),
            row(
                    "POST /v1/regists/{gist}",
                    "a delivery of " + REMOVED_SUBSCRIPTION,
                    "POST /v1/regists/{gist}",
                    AN_ALLOWED_SUBSCRIBER,
                    (w, c) -> new Call("POST", "/v1/regists/" + w.removedGist, null),
                    signedIn(403, 403, 403, 403, 403)),
            row(
                    "POST /v1/subscriptions/{name}/redeliver",
                    ALLOWED_SUBSCRIPTION,
                    "POST /v1/subscriptions/{name}/redeliver",
                    AN_ALLOWED_SUBSCRIBER,
                    (w, c) -> new Call("POST", "/v1/subscriptions/" + ALLOWED_SUBSCRIPTION + "/redeliver", """
                            {"status": "dead"}"""),
                    signedIn(403, 403, 202, 403, 202)),
            row(
                    "POST /v1/subscriptions/{name}/redeliver",
                    REMOVED_SUBSCRIPTION,
                    "POST /v1/subscriptions/{name}/redeliver",
                    AN_ALLOWED_SUBSCRIBER,
                    (w, c) -> new Call("POST", "/v1/subscriptions/" + REMOVED_SUBSCRIPTION + "/redeliver", """
                            {"status": "dead"}"""),
                    signedIn(403, 403, 403, 403, 403)),
            row(
                    "POST /v1/subscriptions/{name}/replay",
                    ALLOWED_SUBSCRIPTION,
                    "POST /v1/subscriptions/{name}/replay",
                    AN_ALLOWED_SUBSCRIBER,
                    (w, c) -> new Call(
                            "POST", "/v1/subscriptions/" + ALLOWED_SUBSCRIPTION + "/replay", """
                            {"from": "%s"}""".formatted(w.start)),
                    signedIn(403, 403, 202, 403, 202)),
            row(
                    "POST /v1/subscriptions/{name}/replay",
                    REMOVED_SUBSCRIPTION,
                    "POST /v1/subscriptions/{name}/replay",
                    AN_ALLOWED_SUBSCRIBER,
                    (w, c) -> new Call(
                            "POST", "/v1/subscriptions/" + REMOVED_SUBSCRIPTION + "/replay", """
                            {"from": "%s"}""".formatted(w.start)),
                    signedIn(403, 403, 403, 403, 403)),
            row(
                    "GET /v1/subscriptions/{name}/replays/{replay}",
                    "a replay of " + ALLOWED_SUBSCRIPTION,
                    "GET /v1/subscriptions/{name}/replays/{replay}",
                    THE_SUBSCRIBER,
                    (w, c) ->
                            new Call("GET", "/v1/subscriptions/" + ALLOWED_SUBSCRIPTION + "/replays/" + w.replay, null),
                    signedIn(403, 403, 200, 403, 200)),
            // what does not exist: a caller without a valid credential learns nothing, not even that
            row(
                    "GET /v1/actions/{name}",
                    "an action that does not exist",
                    "GET /v1/actions[/{name}]",
                    ANY_CALLER,
                    (w, c) -> new Call("GET", "/v1/actions/no.such.action", null),
                    signedIn(404, 404, 404, 404, 404)),
            row(
                    "GET /v1/subscriptions/{name}",
                    "a subscription that does not exist",
                    "GET /v1/subscriptions[/{name}]",
                    THE_SUBSCRIBER,
                    (w, c) -> new Call("GET", "/v1/subscriptions/no-such-sub", null),
                    signedIn(404, 404, 404, 404, 404)),
            row(
                    "PATCH /v1/subscriptions/{name}",
                    "a subscription that does not exist",
                    "PATCH /v1/subscriptions/{name}",
                    THE_SUBSCRIBER_TO_CHANGE,
                    (w, c) -> new Call("PATCH", "/v1/subscriptions/no-such-sub", """
                            {"description": "x"}"""),
                    signedIn(404, 404, 404, 404, 404)),
            row(
                    "GET /v1/events/{id}",
                    "an event of an action that does not exist",
                    "GET /v1/events/{id}",
                    READERS,
                    (w, c) -> new Call("GET", "/v1/events/" + new EventId("no.such.action", 0, 0).encode(), null),
                    signedIn(404, 404, 404, 404, 404)),
            row(
                    "POST /v1/regists/{gist}",
                    "a delivery that does not exist",
                    "POST /v1/regists/{gist}",
                    AN_ALLOWED_SUBSCRIBER,
                    (w, c) -> new Call("POST", "/v1/regists/" + java.util.UUID.randomUUID(), null),
                    signedIn(404, 404, 404, 404, 404)),
            row(
                    "POST /v1/subscriptions/{name}/replay",
                    "a subscription that does not exist",
                    "POST /v1/subscriptions/{name}/replay",
                    AN_ALLOWED_SUBSCRIBER,
                    (w, c) -> new Call("POST", "/v1/subscriptions/no-such-sub/replay", """
                            {"from": "%s"}""".formatted(w.start)),
                    signedIn(404, 404, 404, 404, 404)),
            row(
                    "GET /v1/registry/{kind}/{name}",
                    "an action that does not exist",
                    "GET /v1/registry/{kind}/{name}",
                    ADMIN_ONLY,
                    (w, c) -> new Call("GET", "/v1/registry/action/no.such.action", null),
                    signedIn(403, 403, 403, 403, 404)),
            // operations (the standalone has no management port unless one is set)
            row("GET /health", "", "GET /health", ANYONE, (w, c) -> new Call("GET", "/health", null), everyone(200)),
            row(
                    "GET /health/ready",
                    "",
                    "GET /health/ready",
                    ANYONE,
                    (w, c) -> new Call("GET", "/health/ready", null),
                    everyone(200)),
            row(
                    "GET /health/live",
                    "",
                    "GET /health/live",
                    ANYONE,
                    (w, c) -> new Call("GET", "/health/live", null),
                    everyone(200)),
            row("GET /metrics", "", "GET /metrics", ANYONE, (w, c) -> new Call("GET", "/metrics", null), everyone(200)),
            // the OpenAPI description and Swagger UI (platform's OpenApiRoutes)
            row(
                    "GET /v3/api-docs",
                    "",
                    "GET /v3/api-docs",
                    ANYONE,
                    (w, c) -> new Call("GET", "/v3/api-docs", null),
                    everyone(200)),
            row(
                    "GET /v3/api-docs.yaml",
                    "",
                    "GET /v3/api-docs.yaml",
                    ANYONE,
                    (w, c) -> new Call("GET", "/v3/api-docs.yaml", null),
                    everyone(200)),
            row(
                    "resources Swagger UI under /swagger-ui/",
                    "its page",
                    "GET /swagger-ui/",
                    ANYONE,
                    (w, c) -> new Call("GET", "/swagger-ui/", null),
                    everyone(200)));

    private static World world;

    @BeforeAll
    static void buildTheWorld() throws Exception {
        world = World.build();
    }

    @AfterAll
    static void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void everyCallerGetsExactlyTheStatusItsRowSays() throws Exception {
        List<String> wrong = new ArrayList<>();
        int cells = 0;
        for (Row row : MATRIX) {
            for (Caller caller : Caller.values()) {
                Call call = row.request().apply(world, caller);
                int status = world.send(call, caller);
                cells++;
                int expected = row.expected().get(caller);
                if (status != expected) {
                    wrong.add("%s (%s) as %s: %d, expected %d: %s"
                            .formatted(row.route(), row.target(), caller, status, expected, world.lastBody));
                }
            }
        }
        System.out.printf(
                "[matrix] %d routes x %d callers = %d cells, %d wrong%n",
                MATRIX.size(), Caller.values().length, cells, wrong.size());
        assertThat(wrong).as("cells answering other than the matrix says").isEmpty();
    }

    @Test
    void theMatrixCoversEveryRouteTheProductServes() {
        Set<String> served = new TreeSet<>();
        for (RouterFunction<?> router : world.product
                .standalone
                .context()
                .getBeansOfType(RouterFunction.class)
                .values()) {
            router.accept(new RouteCollector(served));
        }
        Set<String> covered = new TreeSet<>();
        MATRIX.forEach(row -> covered.add(row.route()));
        assertThat(served).as("routes the product serves").isNotEmpty();
        assertThat(covered).as("routes the matrix calls").containsAll(served);
    }

    @Test
    void theReadmeSaysForEachRouteWhoMayCallIt() throws IOException {
        Map<String, String> readme = readmeWho(Files.readString(readme()));
        Map<String, String> matrix = new LinkedHashMap<>();
        for (Row row : MATRIX) {
            String before = matrix.putIfAbsent(row.readmeRoute(), row.who());
            assertThat(before == null || before.equals(row.who()))
                    .as("the rows for %s agree on who", row.readmeRoute())
                    .isTrue();
        }
        assertThat(readme).as("the README's route tables, route → who").containsAllEntriesOf(matrix);
        assertThat(matrix.keySet())
                .as("every route in the README's tables has rows in the matrix")
                .containsAll(readme.keySet());
    }

    /** Route → "who" from every README table whose header has a "who" column. */
    static Map<String, String> readmeWho(String readme) {
        Map<String, String> who = new LinkedHashMap<>();
        int whoColumn = -1;
        Pattern route = Pattern.compile("`((?:GET|POST|PUT|PATCH|DELETE) /[^`]*)`");
        for (String line : readme.split("\n")) {
            if (!line.startsWith("|")) {
                whoColumn = -1;
                continue;
            }
            List<String> cells = List.of(line.substring(1).split("\\|", -1)).stream()
                    .map(String::trim)
                    .toList();
            if (cells.contains("who")) {
                whoColumn = cells.indexOf("who");
                continue;
            }
            Matcher m = route.matcher(cells.get(0));
            if (whoColumn > 0 && m.find()) {
                who.put(m.group(1), cells.get(whoColumn));
            }
        }
        return who;
    }

    private static Path readme() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("README.md")) || !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        return dir.resolve("README.md");
    }

    /** Collects "METHOD /path" for every route of a router function. */
    private record RouteCollector(Set<String> routes) implements RouterFunctions.Visitor {

        private static final Pattern ROUTE = Pattern.compile("\\((GET|POST|PUT|PATCH|DELETE) && (/[^\\s)]*)\\)");

        @Override
        public void startNested(RequestPredicate predicate) {}

        @Override
        public void endNested(RequestPredicate predicate) {}

        @Override
        public void route(RequestPredicate predicate, HandlerFunction<?> handlerFunction) {
            Matcher m = ROUTE.matcher(predicate.toString());
            int found = 0;
            while (m.find()) {
                routes.add(m.group(1) + " " + m.group(2));
                found++;
            }
            assertThat(found).as("a method and a path in %s", predicate).isPositive();
        }

        @Override
        public void resources(
                java.util.function.Function<ServerRequest, Mono<org.springframework.core.io.Resource>> lookup) {
            routes.add("resources " + lookup);
        }

        @Override
        public void attributes(Map<String, Object> attributes) {}

        @Override
        public void unknown(RouterFunction<?> routerFunction) {
            routes.add("unknown " + routerFunction);
        }
    }

    private static Row row(
            String route,
            String target,
            String readmeRoute,
            String who,
            BiFunction<World, Caller, Call> request,
            Map<Caller, Integer> expected) {
        return new Row(route, target, readmeRoute, who, request, expected);
    }

    /** 401 for every caller without a valid credential; then unrelated, owner, allowed, not allowed, admin. */
    private static Map<Caller, Integer> signedIn(
            int unrelated, int owner, int allowedSubscriber, int notAllowedSubscriber, int admin) {
        Map<Caller, Integer> expected = new EnumMap<>(Caller.class);
        for (Caller caller : Caller.values()) {
            expected.put(caller, 401);
        }
        expected.put(UNRELATED, unrelated);
        expected.put(OWNER, owner);
        expected.put(ALLOWED_SUBSCRIBER, allowedSubscriber);
        expected.put(NOT_ALLOWED_SUBSCRIBER, notAllowedSubscriber);
        expected.put(ADMIN, admin);
        return expected;
    }

    /** Token routes authenticate by their body: callers with a live secret get a token, every other 401. */
    private static Map<Caller, Integer> bodyAuthenticated(
            int unrelated, int owner, int allowedSubscriber, int notAllowedSubscriber) {
        Map<Caller, Integer> expected = signedIn(unrelated, owner, allowedSubscriber, notAllowedSubscriber, 401);
        expected.put(DELETED_APPLICATION, 401);
        expected.put(ROTATED_OUT_SECRET, 401);
        return expected;
    }

    private static Map<Caller, Integer> everyone(int status) {
        Map<Caller, Integer> expected = new EnumMap<>(Caller.class);
        for (Caller caller : Caller.values()) {
            expected.put(caller, status);
        }
        return expected;
    }

    /** The running standalone, the registrations the rows act on, and each caller's credentials. */
    static final class World implements AutoCloseable {

        final RunningProduct product;
        final WebhookReceiver receiver;
        final String admin;
        final Map<Caller, String> authorization = new EnumMap<>(Caller.class);
        final Map<String, String> secrets = new LinkedHashMap<>();
        final AtomicInteger sequence = new AtomicInteger();
        Instant start;
        String event;
        String allowedGist;
        String removedGist;
        String replay;
        String lastBody;
        private String lastFullBody;

        private World(RunningProduct product, WebhookReceiver receiver) {
            this.product = product;
            this.receiver = receiver;
            this.admin = product.admin;
        }

        static World build() throws Exception {
            WebhookReceiver receiver = WebhookReceiver.start();
            RunningProduct product = RunningProduct.start(
                    // a short grace, so that a rotated-out secret is out within the test
                    "--amebo.auth.secret-grace=2s",
                    // the matrix logs in with dead secrets hundreds of times; the throttle has tests of its own
                    "--amebo.auth.login-failures=100000",
                    "--amebo.auth.tokens-per-window=100000",
                    "--amebo.dispatcher.max-replays-per-subscription=100");
            World world = new World(product, receiver);
            try {
                world.register(product.masterKey);
            } catch (Exception | AssertionError e) {
                world.close();
                throw e;
            }
            return world;
        }

        private void register(String masterKey) throws Exception {
            start = Instant.now().minusSeconds(1);
            for (String app : List.of(OWNER_APP, ALLOWED_APP, REMOVED_APP, UNRELATED_APP, DELETED_APP)) {
                String secret = app.equals(OWNER_APP) ? OLD_OWNER_SECRET : app + "-secret";
                secrets.put(app, secret);
                expect(201, "POST", "/v1/applications", admin, """
                        {"application": "%s", "address": "%s", "secret": "%s"}""".formatted(app, address(), secret));
            }
            expect(201, "POST", "/v1/actions", admin, """
                    {"action": "%s", "application": "%s", "partitions": 1, "subscribers": ["%s", "%s"],
                     "schemata": {"type": "object", "properties": {"n": {"type": "integer"}}}}""".formatted(ACTION, OWNER_APP, ALLOWED_APP, REMOVED_APP));
            for (String[] s : List.of(
                    new String[] {ALLOWED_APP, ALLOWED_SUBSCRIPTION},
                    new String[] {REMOVED_APP, REMOVED_SUBSCRIPTION})) {
                expect(201, "POST", "/v1/subscriptions", admin, """
                        {"application": "%s", "subscription": "%s", "action": "%s", "handler": "%s"}""".formatted(
                                s[0], s[1], ACTION, receiver.url("/" + s[1])));
            }
            // both subscriptions deliver an event (so each has a delivery in the log), then removed-app is taken off
            event = JSON.readTree(expect(201, "POST", "/v1/events", admin, """
                            {"action": "%s", "payload": {"n": 0}}""".formatted(ACTION)))
                    .path("id")
                    .asString();
            allowedGist =
                    await().atMost(Duration.ofSeconds(60)).until(() -> gistOf(ALLOWED_SUBSCRIPTION), g -> g != null);
            removedGist =
                    await().atMost(Duration.ofSeconds(60)).until(() -> gistOf(REMOVED_SUBSCRIPTION), g -> g != null);
            expect(200, "PATCH", "/v1/actions/" + ACTION, admin, """
                    {"subscribers": ["%s"]}""".formatted(ALLOWED_APP));
            replay = JSON.readTree(expect(
                            202, "POST", "/v1/subscriptions/" + ALLOWED_SUBSCRIPTION + "/replay", admin, """
                            {"from": "%s"}""".formatted(
                                            start)))
                    .path("replay")
                    .asString();

            // deleted-app gets a token, then is deleted
            String deletedToken = token(DELETED_APP, secrets.get(DELETED_APP));
            expect(204, "DELETE", "/v1/applications/" + DELETED_APP, admin, null);

            // owner-app rotates its secret; the previous one's grace (2 s) runs out
            expect(200, "PATCH", "/v1/applications/" + OWNER_APP, admin, """
                    {"secret": "%s"}""".formatted(OWNER_SECRET));
            secrets.put(OWNER_APP, OWNER_SECRET);
            String rotatedOut = RunningProduct.basic(OWNER_APP, OLD_OWNER_SECRET);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> send(new Call("GET", "/v1/applications", null), rotatedOut) == 401);

            // a token of owner-app's live secret, signed with the installation's key, but expired an hour ago
            ApplicationSecrets known = product.standalone
                    .context()
                    .getBeanProvider(ApplicationSecrets.class)
                    .getObject();
            String generation = known.secretsOf(OWNER_APP).block().stream()
                    .filter(Credential::current)
                    .findFirst()
                    .orElseThrow()
                    .generation();
            TokenService past = new TokenService(
                    SecretCipher.fromBase64(masterKey).deriveKey("amebo token signing v1"),
                    Duration.ofHours(1),
                    Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC));
            String expired = past.issue(OWNER_APP, generation).token();

            authorization.put(Caller.MALFORMED_TOKEN, "Bearer not-a.token.at-all");
            authorization.put(Caller.EXPIRED_TOKEN, "Bearer " + expired);
            authorization.put(DELETED_APPLICATION, "Bearer " + deletedToken);
            authorization.put(ROTATED_OUT_SECRET, rotatedOut);
            authorization.put(UNRELATED, RunningProduct.basic(UNRELATED_APP, secrets.get(UNRELATED_APP)));
            // both schemes: the owner with a token, the subscribers with Basic
            authorization.put(OWNER, "Bearer " + token(OWNER_APP, OWNER_SECRET));
            authorization.put(ALLOWED_SUBSCRIBER, RunningProduct.basic(ALLOWED_APP, secrets.get(ALLOWED_APP)));
            authorization.put(NOT_ALLOWED_SUBSCRIBER, RunningProduct.basic(REMOVED_APP, secrets.get(REMOVED_APP)));
            authorization.put(ADMIN, admin);
        }

        /** The application a caller is (the admin acts for allowed-app), or owner-app for callers without one. */
        String applicationOf(Caller caller) {
            return switch (caller) {
                case UNRELATED -> UNRELATED_APP;
                case ALLOWED_SUBSCRIBER, ADMIN -> ALLOWED_APP;
                case NOT_ALLOWED_SUBSCRIBER -> REMOVED_APP;
                case DELETED_APPLICATION -> DELETED_APP;
                default -> OWNER_APP;
            };
        }

        /** A login body in the given field names: the caller's secret, or a guess for callers that have none. */
        String login(Caller caller, String applicationField, String secretField) {
            String application = applicationOf(caller);
            String secret = switch (caller) {
                case UNRELATED, OWNER, ALLOWED_SUBSCRIBER, NOT_ALLOWED_SUBSCRIBER, DELETED_APPLICATION ->
                    secrets.get(application);
                case ROTATED_OUT_SECRET -> OLD_OWNER_SECRET;
                case ADMIN -> admin.substring("Bearer ".length());
                default -> "a-guess";
            };
            if (caller == DELETED_APPLICATION) {
                secret = DELETED_APP + "-secret";
            }
            return """
                    {"%s": "%s", "%s": "%s"}""".formatted(applicationField, application, secretField, secret);
        }

        String subscription(String application) {
            return """
                    {"application": "%s", "subscription": "%s", "action": "%s", "handler": "%s"}""".formatted(application, fresh("sub"), ACTION, receiver.url("/new"));
        }

        /** A subscription made (by the admin) for one call to delete. */
        String newSubscriptionOf(String application) {
            String name = fresh("doomed");
            expect(201, "POST", "/v1/subscriptions", admin, """
                    {"application": "%s", "subscription": "%s", "action": "%s", "handler": "%s"}""".formatted(
                            application, name, ACTION, receiver.url("/doomed")));
            return name;
        }

        String fresh(String prefix) {
            return prefix + "-" + sequence.incrementAndGet();
        }

        String address() {
            return receiver.url("/");
        }

        private String gistOf(String subscription) {
            JsonNode gists = JSON.readTree(expect(200, "GET", "/v1/gists?subscription=" + subscription, admin, null));
            for (JsonNode gist : gists) {
                if ("delivered".equals(gist.path("status").asString())) {
                    return gist.path("gist").asString();
                }
            }
            return null;
        }

        private String token(String application, String secret) {
            return JSON.readTree(expect(200, "POST", "/v1/tokens", null, """
                            {"application": "%s", "secret": "%s"}""".formatted(application, secret)))
                    .path("token")
                    .asString();
        }

        int send(Call call, Caller caller) {
            return send(call, authorization.get(caller));
        }

        int send(Call call, String auth) {
            RunningProduct.Answer answer = product.send(call.method(), call.uri(), auth, call.body());
            lastFullBody = answer.body();
            lastBody = lastFullBody.length() > 300 ? lastFullBody.substring(0, 300) + "…" : lastFullBody;
            return answer.status();
        }

        private String expect(int status, String method, String uri, String auth, String body) {
            int answered = send(new Call(method, uri, body), auth);
            assertThat(answered).as("%s %s: %s", method, uri, lastBody).isEqualTo(status);
            return lastFullBody;
        }

        @Override
        public void close() {
            product.close();
            receiver.close();
        }
    }
}
