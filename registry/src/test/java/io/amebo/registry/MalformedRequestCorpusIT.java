package io.amebo.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.RealInfrastructureExtension;
import io.amebo.testkit.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A generated corpus of malformed requests against every registry endpoint that takes a body: each must get a 4xx
 * problem response (never a 500, never a hang) that names the failing field where there is one, and must write
 * nothing.
 */
@RealInfrastructure
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s") // a shared CI machine can stall a request for seconds
@ActiveProfiles("test")
class MalformedRequestCorpusIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Autowired
    private WebTestClient http;

    private final long seed = Long.getLong("amebo.test.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private Api api;
    private String owner;
    private String action;

    record Endpoint(HttpMethod method, String path, ObjectNode valid) {}

    record Case(String description, Endpoint endpoint, String contentType, byte[] body, String field) {}

    @BeforeEach
    void registerWhatTheValidBodiesReferTo() {
        api = new Api(http);
        owner = SharedKafka.uniqueName("corpus-owner");
        api.application(owner, "https://owner.example.com", "corpus-secret-0123456789");
        action = SharedKafka.uniqueName("corpus.action");
        api.action(action, owner, "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}");
    }

    @Test
    void everyMalformedRequestGetsA4xxProblemNamingTheFieldAndWritesNothing() throws Exception {
        System.out.println("MalformedRequestCorpusIT seed " + seed + " (rerun with -Damebo.test.seed=" + seed + ")");
        List<Case> corpus = corpus();
        Map<String, Long> before = counts();

        List<String> failures = new ArrayList<>();
        for (Case c : corpus) {
            check(c).ifPresent(failures::add);
        }

        assertThat(failures).as("seed %d, %d cases", seed, corpus.size()).isEmpty();
        assertThat(counts()).as("rows after the corpus").isEqualTo(before);
        assertThat(corpus.size()).isGreaterThan(250);
    }

    private java.util.Optional<String> check(Case c) {
        WebTestClient.RequestBodySpec request = http.method(c.endpoint().method())
                .uri(c.endpoint().path())
                .header(HttpHeaders.AUTHORIZATION, Api.ADMIN);
        if (c.contentType() != null) {
            request = request.header(HttpHeaders.CONTENT_TYPE, c.contentType());
        }
        EntityExchangeResult<byte[]> result =
                request.bodyValue(c.body()).exchange().expectBody().returnResult();
        int status = result.getStatus().value();
        String where = c.endpoint().method() + " " + c.endpoint().path() + " " + c.description() + ": ";
        if (status < 400 || status >= 500) {
            return java.util.Optional.of(where + "status " + status + " " + text(result));
        }
        String type = result.getResponseHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.startsWith("application/problem+json")) {
            return java.util.Optional.of(where + "content type " + type);
        }
        JsonNode problem = JSON.readTree(result.getResponseBody());
        if (!problem.path("error").isString()
                || problem.path("error").asString().isBlank()) {
            return java.util.Optional.of(where + "no error message in " + problem);
        }
        if (c.field() != null) {
            boolean named = false;
            for (JsonNode error : problem.path("errors")) {
                named |= error.path("pointer").asString().startsWith("/" + c.field());
            }
            if (!named && status != 401 && status != 403) {
                return java.util.Optional.of(where + "does not name /" + c.field() + " in " + problem);
            }
        }
        return java.util.Optional.empty();
    }

    private List<Case> corpus() {
        List<Endpoint> endpoints = List.of(
                new Endpoint(
                        HttpMethod.POST,
                        "/v1/applications",
                        object(Map.of(
                                "application", SharedKafka.uniqueName("never"),
                                "address", "https://never.example.com",
                                "secret", "never-secret-0123456789"))),
                new Endpoint(
                        HttpMethod.POST,
                        "/v1/actions",
                        object(Map.of(
                                "action",
                                SharedKafka.uniqueName("never.action"),
                                "application",
                                owner,
                                "schemata",
                                object(Map.of("type", "object")),
                                "partitions",
                                2,
                                "retention",
                                "3d"))),
                new Endpoint(
                        HttpMethod.POST,
                        "/v1/subscriptions",
                        object(Map.of(
                                "application",
                                owner,
                                "subscription",
                                SharedKafka.uniqueName("never-sub"),
                                "action",
                                action,
                                "handler",
                                "/hooks/never",
                                "max_retries",
                                3))),
                new Endpoint(
                        HttpMethod.POST,
                        "/v1/actions/" + action + "/schemata",
                        object(Map.of("schemata", object(Map.of("type", "object"))))),
                new Endpoint(
                        HttpMethod.PATCH,
                        "/v1/applications/" + owner,
                        object(Map.of("address", "https://moved.example.com"))));

        List<Case> cases = new ArrayList<>();
        for (Endpoint e : endpoints) {
            cases.addAll(bodyLevel(e));
            for (String field : fieldNames(e.valid())) {
                cases.addAll(fieldLevel(e, field));
            }
            ObjectNode unknown = e.valid().deepCopy();
            unknown.put("surprise", 1);
            cases.add(new Case("unknown field", e, "application/json", bytes(unknown), "surprise"));
        }
        cases.addAll(semantic(endpoints));
        return cases;
    }

    private List<Case> bodyLevel(Endpoint e) {
        byte[] valid = bytes(e.valid());
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("empty body", e, "application/json", new byte[0], null));
        cases.add(new Case(
                "truncated JSON", e, "application/json", java.util.Arrays.copyOf(valid, valid.length / 2), null));
        cases.add(new Case("trailing garbage", e, "application/json", concat(valid, "}}".getBytes()), null));
        cases.add(new Case("a JSON array", e, "application/json", "[1,2,3]".getBytes(), null));
        cases.add(new Case("a JSON string", e, "application/json", "\"hello\"".getBytes(), null));
        cases.add(new Case("JSON null", e, "application/json", "null".getBytes(), null));
        cases.add(new Case("not JSON", e, "application/json", "application=x&address=y".getBytes(), null));
        cases.add(new Case(
                "non-UTF-8 bytes",
                e,
                "application/json",
                new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
                null));
        cases.add(new Case("text/plain", e, "text/plain", valid, null));
        cases.add(new Case("form content type", e, "application/x-www-form-urlencoded", valid, null));
        cases.add(new Case("no content type", e, null, valid, null));
        cases.add(new Case(
                "deep nesting", e, "application/json", ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(), null));
        cases.add(new Case("oversize body", e, "application/json", oversize(), null));
        byte[] noise = new byte[1 + random.nextInt(200)];
        random.nextBytes(noise);
        cases.add(new Case("random bytes", e, "application/json", noise, null));
        return cases;
    }

    private List<Case> fieldLevel(Endpoint e, String field) {
        List<Case> cases = new ArrayList<>();
        List<JsonNode> wrong = List.of(
                NODES.numberNode(42),
                NODES.numberNode(-1.5),
                NODES.booleanNode(true),
                NODES.arrayNode().add("x"),
                NODES.objectNode().put("x", 1),
                NODES.stringNode(""),
                NODES.stringNode("x".repeat(100_000)),
                NODES.stringNode("contains spaces and ~/ symbols!"));
        for (JsonNode value : wrong) {
            JsonNode original = e.valid().get(field);
            if ((sameKind(original, value) || field.equals("schemata")) && isAcceptable(field, value)) {
                continue;
            }
            ObjectNode body = e.valid().deepCopy();
            body.set(field, value);
            cases.add(new Case(field + " = " + abbreviate(value), e, "application/json", bytes(body), field));
        }
        if (isRequired(e, field)) {
            ObjectNode missing = e.valid().deepCopy();
            missing.remove(field);
            cases.add(new Case(field + " missing", e, "application/json", bytes(missing), field));
            ObjectNode nulled = e.valid().deepCopy();
            nulled.putNull(field);
            cases.add(new Case(field + " null", e, "application/json", bytes(nulled), field));
        }
        return cases;
    }

    /** Values of the right JSON type that are still wrong: names, URLs, schemas, numbers out of range. */
    private List<Case> semantic(List<Endpoint> endpoints) {
        Endpoint apps = endpoints.get(0);
        Endpoint actions = endpoints.get(1);
        Endpoint subs = endpoints.get(2);
        Endpoint versions = endpoints.get(3);
        List<Case> cases = new ArrayList<>();
        for (String name : List.of("has space", "-leading", "x".repeat(101), "ünïcode", "a/b", "")) {
            cases.add(with(apps, "application", NODES.stringNode(name)));
            cases.add(with(subs, "subscription", NODES.stringNode(name)));
        }
        for (String name : List.of("Upper.Case", "has space", "x".repeat(201), ".dot", "registry", "retry.5s")) {
            cases.add(with(actions, "action", NODES.stringNode(name)));
        }
        for (String url : List.of(
                "not a url",
                "ftp://x.example.com",
                "http://",
                "javascript:alert(1)",
                "https://user:pw@x.example.com",
                "//x.example.com",
                "http://127.0.0.1:8080",
                "http://10.0.0.1",
                "http://[::1]/")) {
            cases.add(with(apps, "address", NODES.stringNode(url)));
        }
        for (String handler : List.of("relative/path", "ftp://x.example.com/h", "//evil.example.com/h", "https://")) {
            cases.add(with(subs, "handler", NODES.stringNode(handler)));
        }
        for (String schema : List.of(
                "{\"type\":\"strnig\"}",
                "{\"type\":5}",
                "{\"required\":\"name\"}",
                "{\"properties\":[]}",
                "{\"minLength\":-1}",
                "{\"$schema\":\"http://example.com/unknown\"}",
                "[]",
                "42",
                "{\"$ref\":\"http://127.0.0.1:1/remote.json\"}",
                "\"{not json\"")) {
            cases.add(with(actions, "schemata", JSON.readTree(schema)));
            cases.add(with(versions, "schemata", JSON.readTree(schema)));
        }
        cases.add(with(actions, "partitions", NODES.numberNode(0)));
        cases.add(with(actions, "partitions", NODES.numberNode(100_000)));
        cases.add(with(actions, "retention", NODES.stringNode("1s")));
        cases.add(with(actions, "retention", NODES.stringNode("sometimes")));
        cases.add(with(actions, "partition_key", NODES.stringNode("user_id")));
        cases.add(with(actions, "compatibility", NODES.stringNode("sideways")));
        cases.add(with(actions, "application", NODES.stringNode(SharedKafka.uniqueName("ghost"))));
        cases.add(with(subs, "action", NODES.stringNode(SharedKafka.uniqueName("ghost.action"))));
        cases.add(with(subs, "max_retries", NODES.numberNode(0)));
        cases.add(with(subs, "max_retries", NODES.numberNode(10_001)));
        cases.add(with(subs, "rate_limit", NODES.numberNode(-5)));
        cases.add(with(apps, "secret", NODES.stringNode("too-short")));
        return cases;
    }

    private Case with(Endpoint e, String field, JsonNode value) {
        ObjectNode body = e.valid().deepCopy();
        body.set(field, value);
        return new Case(field + " = " + abbreviate(value), e, "application/json", bytes(body), field);
    }

    private static boolean isRequired(Endpoint e, String field) {
        return switch (e.path()) {
            case "/v1/applications" -> !field.equals("secret");
            case "/v1/actions" -> List.of("action", "application", "schemata").contains(field);
            case "/v1/subscriptions" ->
                List.of("application", "subscription", "action", "handler").contains(field);
            default -> e.path().endsWith("/schemata");
        };
    }

    private static boolean sameKind(JsonNode a, JsonNode b) {
        return a != null && a.getNodeType() == b.getNodeType();
    }

    /** A right-typed replacement that is nonetheless valid is not a malformed case. */
    private static boolean isAcceptable(String field, JsonNode value) {
        boolean schema = field.equals("schemata") && (value.isObject() || value.isBoolean()); // true/false are schemas
        boolean count = value.isNumber()
                && value.asDouble() == 42
                && (field.equals("partitions") || field.equals("max_retries"));
        boolean secret = field.equals("secret")
                && value.isString()
                && value.asString().length() >= 16
                && value.asString().length() <= 512;
        return schema || count || secret;
    }

    private Map<String, Long> counts() throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = RealInfrastructureExtension.springDatabase().connect();
                Statement s = c.createStatement()) {
            for (String table : List.of("applications", "actions", "schemata", "subscriptions")) {
                try (ResultSet rows = s.executeQuery("SELECT count(*) FROM " + table)) {
                    rows.next();
                    counts.put(table, rows.getLong(1));
                }
            }
        }
        return counts;
    }

    private static ObjectNode object(Map<String, Object> members) {
        return JSON.valueToTree(new LinkedHashMap<>(members));
    }

    private static List<String> fieldNames(ObjectNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }

    private static byte[] bytes(JsonNode node) {
        return JSON.writeValueAsBytes(node);
    }

    private static byte[] oversize() {
        return ("{\"application\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String abbreviate(JsonNode value) {
        String text = value.toString();
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    private static String text(EntityExchangeResult<byte[]> result) {
        byte[] body = result.getResponseBody();
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }
}
