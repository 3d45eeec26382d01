package io.amebo.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.testkit.OpenApiCoverage;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Received;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The standalone serves the union of the three services' OpenAPI descriptions, and the description is true: it names
 * exactly the routes the product has, an OpenAPI parser accepts it, and real answers (of every route, successes and
 * problems), real request bodies and a real webhook delivery validate against the schemas it gives for them.
 */
class OpenApiDescriptionIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String SCHEMA_V1 = """
            {"type": "object", "properties": {"user_id": {"type": "string"}, "email": {"type": "string",
             "format": "email"}}, "required": ["user_id", "email"], "additionalProperties": false}""";
    private static final String SCHEMA_V2 = """
            {"type": "object", "properties": {"user_id": {"type": "string"}, "email": {"type": "string",
             "format": "email"}, "plan": {"type": "string"}}, "required": ["user_id", "email"],
             "additionalProperties": false}""";

    private static RunningProduct product;
    private static String base;
    private static JsonNode document;

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private final List<String> findings = new ArrayList<>();
    private final Set<OpenApiCoverage.Operation> called = new TreeSet<>();
    private DescribedAnswers described;

    @BeforeAll
    static void startTheProduct() throws IOException {
        product = RunningProduct.start();
        base = "http://localhost:" + product.standalone.port();
        document = JSON.readTree(send("GET", "/v3/api-docs", null, null, null).body());
    }

    @AfterAll
    static void stopTheProduct() {
        product.close();
    }

    @AfterEach
    void stopTheReceiver() {
        receiver.close();
    }

    @Test
    void describesEveryRouteOfTheThreeServicesAndNoOther() {
        OpenApiCoverage coverage = OpenApiCoverage.of(product.standalone.context(), base);

        assertThat(coverage.document().path("paths").propertyNames())
                .as("the registry's, the gateway's, the dispatcher's and the common paths")
                .contains("/v1/tokens", "/v1/events", "/v1/gists", "/health", "/v3/api-docs");
        assertThat(coverage.mismatches()).as("routes and description disagree").isEmpty();
        assertThat(coverage.problems())
                .as("what makes the description unusable")
                .isEmpty();
        assertThat(coverage.resources()).singleElement().asString().startsWith("Swagger UI");
        assertThat(coverage.swaggerUiProblems()).isEmpty();
    }

    @Test
    void anOpenApiParserAcceptsItAsOpenApi31() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(document.toString(), null, options);

        assertThat(parsed.getMessages()).as("the parser's findings").isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).startsWith("3.1.");
        assertThat(parsed.getOpenAPI().getPaths())
                .hasSize(document.path("paths").size());
        assertThat(parsed.getOpenAPI().getWebhooks()).containsKey("delivery");
    }

    @Test
    void servesTheSameDocumentAsYaml() {
        HttpResponse<String> yaml = send("GET", "/v3/api-docs.yaml", null, null, null);

        assertThat(yaml.statusCode()).isEqualTo(200);
        assertThat(yaml.headers().firstValue("Content-Type").orElse("")).startsWith("application/yaml");
        assertThat(YAMLMapper.builder().build().readTree(yaml.body())).isEqualTo(document);
    }

    @Test
    void realAnswersRequestsAndDeliveriesMatchTheDescription() {
        described = new DescribedAnswers(document);
        String owner = SharedKafka.uniqueName("oa-owner");
        String subscriber = SharedKafka.uniqueName("oa-subscriber");
        String spare = SharedKafka.uniqueName("oa-spare");
        String ownerSecret = "owner-secret-0123456789";
        String subscriberSecret = "subscriber-secret-0123456789";
        String ownerAuth = RunningProduct.basic(owner, ownerSecret);
        String action = SharedKafka.uniqueName("oa.user.created");
        String subscription = SharedKafka.uniqueName("oa-welcome");
        Instant start = Instant.now().minusSeconds(1);

        // the operating endpoints and the description itself
        call("GET", "/health", "/health", null, null);
        call("GET", "/health/live", "/health/live", null, null);
        call("GET", "/health/ready", "/health/ready", null, null);
        call("GET", "/metrics", "/metrics", null, null);
        call("GET", "/v3/api-docs", "/v3/api-docs", null, null);
        call("GET", "/v3/api-docs.yaml", "/v3/api-docs.yaml", null, null);

        // applications, tokens
        expect(201, call("POST", "/v1/applications", "/v1/applications", product.admin, """
                {"application": "%s", "address": "https://owner.example.com/base/", "secret": "%s"}""".formatted(
                        owner, ownerSecret)));
        expect(201, call("POST", "/v1/applications", "/v1/applications", product.admin, """
                {"application": "%s", "address": "%s", "passphrase": "%s"}""".formatted(
                        subscriber, receiver.url("/"), subscriberSecret)));
        expect(201, call("POST", "/v1/applications", "/v1/applications", product.admin, """
                {"application": "%s", "address": "https://spare.example.com"}""".formatted(spare)));
        expect(409, call("POST", "/v1/applications", "/v1/applications", product.admin, """
                {"application": "%s", "address": "https://spare.example.com"}""".formatted(spare)));
        expect(403, call("POST", "/v1/applications", "/v1/applications", ownerAuth, """
                {"application": "%s", "address": "https://other.example.com"}""".formatted(
                        SharedKafka.uniqueName("oa-other"))));
        expect(422, call("POST", "/v1/applications", "/v1/applications", product.admin, """
                {"application": "not a name", "address": "ftp://x", "secret": "short"}"""));
        expect(415, call("POST", "/v1/applications", "/v1/applications", product.admin, "text/plain", "hello"));
        expect(400, call("POST", "/v1/applications", "/v1/applications", product.admin, "{\"application\": "));
        expect(401, call("GET", "/v1/applications", "/v1/applications", null, null));
        expect(401, call("GET", "/v1/applications", "/v1/applications", "Bearer not-a-token", null));
        expect(200, call("GET", "/v1/applications?pagination=1", "/v1/applications", ownerAuth, null));
        expect(400, call("GET", "/v1/applications?page=0", "/v1/applications", ownerAuth, null));
        expect(200, call("GET", "/v1/applications/" + owner, "/v1/applications/{name}", ownerAuth, null));
        expect(404, call("GET", "/v1/applications/no-such-app", "/v1/applications/{name}", ownerAuth, null));
        expect(200, call("PATCH", "/v1/applications/" + spare, "/v1/applications/{name}", product.admin, """
                {"location": "https://spare.example.com/moved"}"""));
        expect(200, call("PUT", "/v1/applications/" + spare, "/v1/applications/{name}", product.admin, """
                {"rotate_secret": true, "revoke_previous": true}"""));
        String token = JSON.readTree(expect(200, call("POST", "/v1/tokens", "/v1/tokens", null, """
                                        {"application": "%s", "secret": "%s"}""".formatted(
                                        subscriber, subscriberSecret)))
                        .body())
                .path("token")
                .asString();
        expect(200, call("POST", "/v8/tokens", "/v8/tokens", null, """
                {"username": "%s", "password": "%s", "scheme": "Bearer"}""".formatted(owner, ownerSecret)));
        expect(401, call("POST", "/v1/tokens", "/v1/tokens", null, """
                {"application": "%s", "secret": "wrong-secret-0123456789"}""".formatted(owner)));
        String subscriberAuth = "Bearer " + token;

        // actions and their schemata
        expect(201, call("POST", "/v1/actions", "/v1/actions", ownerAuth, """
                {"action": "%s", "application": "%s", "schemata": %s, "partitions": 2, "retention": "1d",
                 "partition_key": "/user_id", "description": "a user signed up", "subscribers": "open"}""".formatted(action, owner, SCHEMA_V1)));
        expect(403, call("POST", "/v1/actions", "/v1/actions", subscriberAuth, """
                {"action": "%s", "application": "%s", "schemata": {"type": "object"}}""".formatted(
                        SharedKafka.uniqueName("oa.other"), owner)));
        expect(
                201,
                call(
                        "POST",
                        "/v1/actions/" + action + "/schemata",
                        "/v1/actions/{name}/schemata",
                        ownerAuth,
                        """
                {"schemata": %s}""".formatted(SCHEMA_V2)));
        expect(422, call("POST", "/v1/actions/" + action + "/schemata", "/v1/actions/{name}/schemata", ownerAuth, """
                {"schemata": {"type": "object", "properties": {"user_id": {"type": "integer"}}}}"""));
        expect(200, call("GET", "/v1/actions/" + action, "/v1/actions/{name}", subscriberAuth, null));
        expect(200, call("GET", "/v1/actions?action=oa.&pagination=2", "/v1/actions", subscriberAuth, null));
        expect(200, call("PATCH", "/v1/actions/" + action, "/v1/actions/{name}", ownerAuth, """
                {"description": "a user signed up (v2)"}"""));
        expect(
                200,
                call(
                        "GET",
                        "/v1/actions/" + action + "/schemata/1",
                        "/v1/actions/{name}/schemata/{version}",
                        ownerAuth,
                        null));
        expect(
                404,
                call(
                        "GET",
                        "/v1/actions/" + action + "/schemata/9",
                        "/v1/actions/{name}/schemata/{version}",
                        ownerAuth,
                        null));

        // subscriptions
        expect(201, call("POST", "/v1/subscriptions", "/v1/subscriptions", subscriberAuth, """
                {"application": "%s", "subscription": "%s", "action": "%s", "handler": "/hooks/users",
                 "max_retries": 3, "ordered": false, "rate_limit": 100, "description": "welcome mails"}""".formatted(
                        subscriber, subscription, action)));
        expect(201, call("POST", "/v1/subscriptions", "/v1/subscriptions", subscriberAuth, """
                {"application": "%s", "subscription": "%s", "action": "%s", "handler": "/hooks/x",
                 "backfill_from": "%s", "filter": {"payload.email": {"$suffix": "@example.com"}}}""".formatted(
                        subscriber,
                        SharedKafka.uniqueName("oa-f"),
                        action,
                        java.time.Instant.now().minusSeconds(60))));
        expect(200, call("GET", "/v1/subscriptions?status=active", "/v1/subscriptions", subscriberAuth, null));
        expect(200, call("GET", "/v1/subscriptions/" + subscription, "/v1/subscriptions/{name}", subscriberAuth, null));
        expect(403, call("GET", "/v1/subscriptions/" + subscription, "/v1/subscriptions/{name}", ownerAuth, null));
        expect(
                200,
                call("PATCH", "/v1/subscriptions/" + subscription, "/v1/subscriptions/{name}", subscriberAuth, """
                {"max_retries": 4}"""));
        String spareSubscription = SharedKafka.uniqueName("oa-spare-sub");
        expect(201, call("POST", "/v1/subscriptions", "/v1/subscriptions", subscriberAuth, """
                {"application": "%s", "subscription": "%s", "action": "%s", "handler": "https://hooks.example.com/x"}""".formatted(
                        subscriber, spareSubscription, action)));
        expect(
                204,
                call(
                        "DELETE",
                        "/v1/subscriptions/" + spareSubscription,
                        "/v1/subscriptions/{name}",
                        subscriberAuth,
                        null));

        // the registry's records
        expect(
                200,
                call("GET", "/v1/registry/application/" + owner, "/v1/registry/{kind}/{name}", product.admin, null));
        expect(200, call("GET", "/v1/registry/action/" + action, "/v1/registry/{kind}/{name}", product.admin, null));
        expect(
                200,
                call(
                        "GET",
                        "/v1/registry/subscription/" + subscription,
                        "/v1/registry/{kind}/{name}",
                        product.admin,
                        null));
        expect(403, call("GET", "/v1/registry/action/" + action, "/v1/registry/{kind}/{name}", ownerAuth, null));

        // publishing
        HttpResponse<String> published =
                expect(201, call("POST", "/v1/events", "/v1/events", ownerAuth, """
                {"action": "%s", "payload": {"user_id": "u1", "email": "ada@example.com", "plan": "premium"},
                 "deduper": "u1-created", "key": "u1"}""".formatted(action)));
        String eventId = JSON.readTree(published.body()).path("id").asString();
        expect(200, call("POST", "/v1/events", "/v1/events", ownerAuth, """
                {"action": "%s", "payload": {"user_id": "u1", "email": "ada@example.com"}, "deduper": "u1-created"}""".formatted(action)));
        expect(201, call("POST", "/v1/events", "/v1/events", ownerAuth, """
                {"action": "%s", "payload": {"user_id": "u2", "email": "bob@example.com"}, "sleep_until": 0}""".formatted(action)));
        HttpResponse<String> invalid =
                expect(422, call("POST", "/v1/events", "/v1/events", ownerAuth, """
                {"action": "%s", "payload": {"user_id": 7, "email": "nope"}}""".formatted(action)));
        assertThat(JSON.readTree(invalid.body()).path("errors").size()).isGreaterThan(1);
        expect(404, call("POST", "/v1/events", "/v1/events", ownerAuth, """
                {"action": "oa.no-such-action", "payload": {}}"""));
        expect(403, call("POST", "/v1/events", "/v1/events", subscriberAuth, """
                {"action": "%s", "payload": {"user_id": "u3", "email": "c@example.com"}}""".formatted(action)));
        expect(207, call("POST", "/v1/events/batch", "/v1/events/batch", ownerAuth, """
                [{"action": "%1$s", "payload": {"user_id": "u4", "email": "d@example.com"}},
                 {"action": "%1$s", "payload": {"user_id": "u1", "email": "ada@example.com"}, "deduper": "u1-created"},
                 {"action": "%1$s", "payload": {"user_id": 5}}]""".formatted(action)));
        expect(
                200,
                call("POST", "/v1/events/batch", "/v1/events/batch", ownerAuth, "application/x-ndjson", """
                {"action": "%1$s", "payload": {"user_id": "u6", "email": "f@example.com"}}
                {"action": "%1$s", "payload": {"user_id": "u7", "email": "g@example.com"}}
                """.formatted(
                                action)));
        expect(422, call("POST", "/v1/events/batch", "/v1/events/batch", ownerAuth, """
                [{"action": "%s", "payload": {"user_id": 8}}, {"action": "oa.no-such-action", "payload": {}}]""".formatted(action)));
        expect(400, call("POST", "/v1/events/batch", "/v1/events/batch", ownerAuth, "{\"not\": \"an array\"}"));

        // reading events back
        expect(200, call("GET", "/v1/events/" + eventId, "/v1/events/{id}", ownerAuth, null));
        expect(404, call("GET", "/v1/events/AAAA", "/v1/events/{id}", ownerAuth, null));
        HttpResponse<String> page = expect(
                200,
                call("GET", "/v1/events?action=" + action + "&limit=1&from=" + start, "/v1/events", ownerAuth, null));
        assertThat(page.headers().firstValue("Link")).as("a next page").isPresent();
        expect(200, call("GET", "/v1/events?from=" + start, "/v1/events", subscriberAuth, null));
        expect(400, call("GET", "/v1/events?action=" + action + "&from=2026-13-01", "/v1/events", ownerAuth, null));

        // delivery: what the handler received, then the delivery log, redelivery and replay
        await().atMost(Duration.ofSeconds(60))
                .until(() -> receiver.requests(r -> eventId.equals(r.header("webhook-id")))
                                .size()
                        >= 1);
        Received delivery =
                receiver.requests(r -> eventId.equals(r.header("webhook-id"))).get(0);
        Map<String, String> headers = new HashMap<>();
        delivery.headers().forEach((name, values) -> headers.put(name, values.get(0)));
        findings.addAll(described.webhook("delivery", headers, delivery.bodyText()));

        String gists = "/v1/gists?subscription=" + subscription + "&status=delivered&pagination=100";
        await().atMost(Duration.ofSeconds(60))
                .until(() -> JSON.readTree(send("GET", gists, subscriberAuth, null, null)
                                        .body())
                                .size()
                        >= 1);
        HttpResponse<String> delivered = expect(200, call("GET", gists, "/v1/gists", subscriberAuth, null));
        expect(200, call("GET", "/v1/gists?pagination=1", "/v1/gists", product.admin, null));
        expect(400, call("GET", "/v1/gists?status=lost", "/v1/gists", subscriberAuth, null));
        String gist = JSON.readTree(delivered.body()).get(0).path("gist").asString();
        expect(200, call("POST", "/v1/regists/" + gist, "/v1/regists/{gist}", subscriberAuth, null));
        expect(
                404,
                call(
                        "POST",
                        "/v1/regists/00000000-0000-0000-0000-000000000000",
                        "/v1/regists/{gist}",
                        subscriberAuth,
                        null));
        expect(
                202,
                call(
                        "POST",
                        "/v1/subscriptions/" + subscription + "/redeliver",
                        "/v1/subscriptions/{name}/redeliver",
                        subscriberAuth,
                        "{\"status\": \"dead\"}"));
        HttpResponse<String> replay = expect(
                202,
                call(
                        "POST",
                        "/v1/subscriptions/" + subscription + "/replay",
                        "/v1/subscriptions/{name}/replay",
                        subscriberAuth,
                        "{\"from\": \"%s\"}".formatted(start)));
        expect(
                422,
                call(
                        "POST",
                        "/v1/subscriptions/" + subscription + "/replay",
                        "/v1/subscriptions/{name}/replay",
                        subscriberAuth,
                        "{\"from\": \"yesterday\", \"dry_run\": true}"));
        String progress = replay.headers().firstValue("Location").orElseThrow();
        expect(200, call("GET", progress, "/v1/subscriptions/{name}/replays/{replay}", subscriberAuth, null));
        expect(
                404,
                call(
                        "GET",
                        "/v1/subscriptions/" + subscription + "/replays/no-such-replay",
                        "/v1/subscriptions/{name}/replays/{replay}",
                        subscriberAuth,
                        null));

        // what can be deleted
        expect(409, call("DELETE", "/v1/applications/" + owner, "/v1/applications/{name}", product.admin, null));
        expect(204, call("DELETE", "/v1/applications/" + spare, "/v1/applications/{name}", product.admin, null));

        assertThat(findings)
                .as("where the product and its description disagree")
                .isEmpty();
        assertThat(called)
                .as("operations checked against real answers: every described one")
                .containsAll(
                        OpenApiCoverage.of(product.standalone.context(), base).documented());
    }

    /** Sends a JSON body (or none) and records where the request or the answer disagrees with the description. */
    private HttpResponse<String> call(
            String method, String uri, String pathTemplate, String authorization, String json) {
        return call(method, uri, pathTemplate, authorization, json == null ? null : "application/json", json);
    }

    private HttpResponse<String> call(
            String method, String uri, String pathTemplate, String authorization, String contentType, String body) {
        HttpResponse<String> answer = send(method, uri, authorization, contentType, body);
        called.add(new OpenApiCoverage.Operation(method, pathTemplate));
        if (body != null && answer.statusCode() < 300) {
            // what the product accepted, the description must accept too
            findings.addAll(described.request(method, pathTemplate, contentType, body));
        }
        findings.addAll(described.answer(method, pathTemplate, answer));
        return answer;
    }

    private HttpResponse<String> expect(int status, HttpResponse<String> answer) {
        if (answer.statusCode() != status) {
            findings.add(answer.request().method() + " " + answer.uri() + " answered " + answer.statusCode()
                    + ", expected " + status + ": " + answer.body());
        }
        return answer;
    }

    private static HttpResponse<String> send(
            String method, String uri, String authorization, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + uri))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
