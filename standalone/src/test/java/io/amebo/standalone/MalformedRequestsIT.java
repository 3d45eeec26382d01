package io.amebo.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.testkit.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A generated corpus of malformed requests over every route of every service, on the standalone (issue: security,
 * item 9): wrong types, sizes, encodings, unicode, NUL bytes in paths, queries and bodies, huge numbers, deep
 * nesting, duplicate keys, wrong content types and truncated bodies. Every one must get a 4xx problem response that
 * names the field where there is one (never a 5xx, never a hang), and the whole corpus must write nothing: the
 * registry, the delivery log and every topic's end offsets are the same after it. Then each route's valid request,
 * from which the malformed ones were made, must succeed, so the corpus is known to have reached validation rather
 * than stopped at a wrong path.
 *
 * <p>The random parts (noise bodies, which values go where) come from a seed that is printed;
 * {@code -Damebo.test.seed=<n>} replays it.
 */
class MalformedRequestsIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String OWNER = "corpus-owner";
    private static final String OWNER_SECRET = "corpus-owner-secret-0123";
    private static final String SUBSCRIBER = "corpus-subscriber";
    private static final String ACTION = "corpus.events";
    private static final String SUBSCRIPTION = "corpus-sub";

    private static final long SEED = Long.getLong("amebo.test.seed", System.nanoTime());

    private static RunningProduct product;
    private static WebhookReceiver receiver;
    private static String event;
    private static String gist;

    /** What kind of value a field takes; each kind knows values that are wrong for it. */
    enum Kind {
        NAME,
        ACTION_NAME,
        ADDRESS,
        HANDLER,
        SECRET,
        LOGIN_SECRET,
        TEXT,
        COUNT,
        FLAG,
        TIME,
        DELAY,
        RETENTION,
        COMPATIBILITY,
        STATUS,
        GIST_STATUS,
        SCHEMA,
        PAYLOAD,
        POINTER,
        SUBSCRIBERS,
        IDENTIFIER
    }

    record Field(String name, Kind kind, String valid, boolean required) {}

    /** A route that takes a JSON object (or, for the batch, an array of them). */
    record BodyRoute(String method, String path, String authorization, List<Field> fields, boolean batch) {

        String body(Map<String, String> members) {
            String object = members.entrySet().stream()
                    .map(e -> "\"" + e.getKey() + "\": " + e.getValue())
                    .collect(Collectors.joining(", ", "{", "}"));
            return batch ? "[" + object + "]" : object;
        }

        Map<String, String> valid() {
            Map<String, String> members = new LinkedHashMap<>();
            fields.forEach(f -> members.put(f.name(), f.valid()));
            return members;
        }
    }

    /** One malformed request and the field its answer must name (null when the request as a whole is wrong). */
    record Case(
            String description,
            String method,
            String uri,
            String contentType,
            byte[] body,
            String field,
            boolean raw,
            String authorization) {}

    @BeforeAll
    static void start() throws Exception {
        receiver = WebhookReceiver.start();
        // wrong secrets are part of the corpus; the login throttle has tests of its own
        product = RunningProduct.start("--amebo.auth.login-failures=100000", "--amebo.auth.tokens-per-window=100000");
        String admin = product.admin;
        expect(201, "POST", "/v1/applications", admin, """
                {"application": "%s", "address": "%s", "secret": "%s"}""".formatted(OWNER, receiver.url("/"), OWNER_SECRET));
        expect(201, "POST", "/v1/applications", admin, """
                {"application": "%s", "address": "%s"}""".formatted(SUBSCRIBER, receiver.url("/")));
        expect(201, "POST", "/v1/actions", admin, """
                {"action": "%s", "application": "%s", "partitions": 2,
                 "schemata": {"type": "object", "additionalProperties": false,
                              "properties": {"n": {"type": "integer"}, "s": {"type": "string"}}}}""".formatted(ACTION, OWNER));
        expect(201, "POST", "/v1/subscriptions", admin, """
                {"application": "%s", "subscription": "%s", "action": "%s", "handler": "/hooks"}""".formatted(SUBSCRIBER, SUBSCRIPTION, ACTION));
        event = JSON.readTree(expect(201, "POST", "/v1/events", admin, """
                        {"action": "%s", "payload": {"n": 1}}""".formatted(ACTION)))
                .path("id")
                .asString();
        gist = await().atMost(Duration.ofSeconds(60)).until(MalformedRequestsIT::deliveredGist, g -> g != null);
    }

    @AfterAll
    static void stop() {
        if (product != null) {
            product.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void everyMalformedRequestGetsA4xxProblemNamingTheFieldAndWritesNothing() throws Exception {
        System.out.printf(
                "[corpus] seed %d (replay with -Damebo.test.seed=%d -Dit.test=MalformedRequestsIT)%n", SEED, SEED);
        Random random = new Random(SEED);
        List<BodyRoute> bodyRoutes = bodyRoutes();
        List<Case> corpus = new ArrayList<>();
        for (BodyRoute route : bodyRoutes) {
            corpus.addAll(wholeBody(route, random));
            for (Field field : route.fields()) {
                corpus.addAll(fieldCases(route, field));
            }
            Map<String, String> unknown = route.valid();
            unknown.put("surprise", "1");
            corpus.add(bodyCase(route, "an unknown field", route.body(unknown), "surprise"));
        }
        corpus.addAll(pathCases());
        corpus.addAll(queryCases());

        Map<String, Object> before = settledSnapshot();
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (Case c : corpus) {
            RunningProduct.Answer answer = c.raw()
                    ? product.sendRaw(c.method(), c.uri(), c.authorization())
                    : product.send(c.method(), c.uri(), c.authorization(), c.contentType(), c.body());
            statuses.merge(answer.status(), 1, Integer::sum);
            wrongAnswer(c, answer).ifPresent(failures::add);
        }
        System.out.printf(
                "[corpus] %d requests over %d routes; statuses %s; %d wrong%n",
                corpus.size(), routesCovered(corpus), statuses, failures.size());

        assertThat(failures).as("seed %d: requests answered wrongly", SEED).isEmpty();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(1000);
        assertThat(snapshot())
                .as("the registry, the delivery log and the topics after the corpus")
                .isEqualTo(before);

        // and what the corpus was made from is right: each valid request succeeds
        for (BodyRoute route : bodyRoutes) {
            RunningProduct.Answer answer = product.send(
                    route.method(),
                    route.path(),
                    route.authorization(),
                    "application/json",
                    route.body(route.valid()).getBytes(StandardCharsets.UTF_8));
            assertThat(answer.status())
                    .as("the valid request of %s %s: %s", route.method(), route.path(), answer.body())
                    .isBetween(200, 299);
        }
    }

    private static List<BodyRoute> bodyRoutes() {
        String admin = product.admin;
        String handler = "\"/hooks/other\"";
        return List.of(
                new BodyRoute(
                        "POST",
                        "/v1/tokens",
                        null,
                        List.of(
                                field("application", Kind.NAME, q(OWNER), true),
                                field("secret", Kind.LOGIN_SECRET, q(OWNER_SECRET), true)),
                        false),
                new BodyRoute(
                        "POST",
                        "/v8/tokens",
                        null,
                        List.of(
                                field("username", Kind.NAME, q(OWNER), true),
                                field("password", Kind.LOGIN_SECRET, q(OWNER_SECRET), true),
                                field("scheme", Kind.IDENTIFIER, q("Basic"), false)),
                        false),
                new BodyRoute(
                        "POST",
                        "/v1/applications",
                        admin,
                        List.of(
                                field("application", Kind.NAME, q("corpus-new-app"), true),
                                field("address", Kind.ADDRESS, q("https://new.example.com"), true),
                                field("secret", Kind.SECRET, q("a-new-secret-0123456789"), false)),
                        false),
                new BodyRoute(
                        "PATCH",
                        "/v1/applications/" + SUBSCRIBER,
                        admin,
                        List.of(
                                field("address", Kind.ADDRESS, q(receiver.url("/")), false),
                                field("secret", Kind.SECRET, q("a-rotated-secret-0123456789"), false),
                                field("revoke_previous", Kind.FLAG, "true", false)),
                        false),
                new BodyRoute(
                        "PUT",
                        "/v1/applications/" + SUBSCRIBER,
                        admin,
                        List.of(
                                field("location", Kind.ADDRESS, q(receiver.url("/")), false),
                                field("rotate_secret", Kind.FLAG, "true", false)),
                        false),
                new BodyRoute(
                        "POST",
                        "/v1/actions",
                        admin,
                        List.of(
                                field("action", Kind.ACTION_NAME, q("corpus.new"), true),
                                field("application", Kind.NAME, q(OWNER), true),
                                field("schemata", Kind.SCHEMA, "{\"type\": \"object\"}", true),
                                field("partitions", Kind.COUNT, "2", false),
                                field("retention", Kind.RETENTION, q("3d"), false),
                                field("partition_key", Kind.POINTER, q("/n"), false),
                                field("compatibility", Kind.COMPATIBILITY, q("full"), false),
                                field("description", Kind.TEXT, q("new"), false),
                                field("subscribers", Kind.SUBSCRIBERS, "[" + q(SUBSCRIBER) + "]", false)),
                        false),
                new BodyRoute(
                        "PATCH",
                        "/v1/actions/" + ACTION,
                        admin,
                        List.of(
                                field("subscribers", Kind.SUBSCRIBERS, q("open"), false),
                                field("description", Kind.TEXT, q("described"), false)),
                        false),
                new BodyRoute(
                        "POST",
                        "/v1/actions/" + ACTION + "/schemata",
                        admin,
                        List.of(field(
                                "schemata",
                                Kind.SCHEMA,
                                "{\"type\": \"object\", \"additionalProperties\": false, \"properties\": "
                                        + "{\"n\": {\"type\": \"integer\"}, \"s\": {\"type\": \"string\"}, "
                                        + "\"t\": {\"type\": \"string\"}}}",
                                true)),
                        false),
                new BodyRoute(
                        "POST",
                        "/v1/subscriptions",
                        admin,
                        List.of(
                                field("application", Kind.NAME, q(SUBSCRIBER), true),
                                field("subscription", Kind.NAME, q("corpus-new-sub"), true),
                                field("action", Kind.ACTION_NAME, q(ACTION), true),
                                field("handler", Kind.HANDLER, handler, true),
                                field("max_retries", Kind.COUNT, "3", false),
                                field("ordered", Kind.FLAG, "true", false),
                                field("rate_limit", Kind.COUNT, "50", false),
                                field("description", Kind.TEXT, q("new"), false)),
                        false),
                new BodyRoute(
                        "PATCH",
                        "/v1/subscriptions/" + SUBSCRIPTION,
                        admin,
                        List.of(
                                field("handler", Kind.HANDLER, handler, false),
                                field("max_retries", Kind.COUNT, "4", false),
                                field("ordered", Kind.FLAG, "false", false),
                                field("rate_limit", Kind.COUNT, "60", false),
                                field("description", Kind.TEXT, q("changed"), false),
                                field("status", Kind.STATUS, q("active"), false)),
                        false),
                new BodyRoute("POST", "/v1/events", admin, publishFields(), false),
                new BodyRoute("POST", "/v1/events/batch", admin, publishFields(), true),
                new BodyRoute(
                        "POST",
                        "/v1/subscriptions/" + SUBSCRIPTION + "/redeliver",
                        admin,
                        List.of(field("status", Kind.GIST_STATUS, q("dead"), false)),
                        false),
                new BodyRoute(
                        "POST",
                        "/v1/subscriptions/" + SUBSCRIPTION + "/replay",
                        admin,
                        List.of(
                                field(
                                        "from",
                                        Kind.TIME,
                                        q(Instant.now().minusSeconds(3600).toString()),
                                        true),
                                field(
                                        "to",
                                        Kind.TIME,
                                        q(Instant.now().plusSeconds(3600).toString()),
                                        false)),
                        false));
    }

    private static List<Field> publishFields() {
        return List.of(
                field("action", Kind.ACTION_NAME, q(ACTION), true),
                field("payload", Kind.PAYLOAD, "{\"n\": 7, \"s\": \"seven\"}", false),
                field("deduper", Kind.IDENTIFIER, q("corpus-deduper"), false),
                field("key", Kind.IDENTIFIER, q("corpus-key"), false),
                field("sleep_until", Kind.DELAY, "0", false));
    }

    /** The body as a whole: not JSON, not an object, not UTF-8, too big, too deep, the wrong content type. */
    private static List<Case> wholeBody(BodyRoute route, Random random) {
        String valid = route.body(route.valid());
        byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
        List<Case> cases = new ArrayList<>();
        cases.add(raw(route, "an empty body", "application/json", new byte[0]));
        cases.add(raw(route, "no body at all", null, null));
        cases.add(raw(route, "truncated", "application/json", Arrays.copyOf(bytes, bytes.length / 2)));
        cases.add(raw(route, "cut before its end", "application/json", Arrays.copyOf(bytes, bytes.length - 1)));
        cases.add(raw(route, "trailing garbage", "application/json", utf8(valid + "}}")));
        cases.add(raw(route, "two documents", "application/json", utf8(valid + valid)));
        cases.add(raw(
                route,
                route.batch() ? "an object" : "an array",
                "application/json",
                utf8(route.batch() ? route.body(route.valid()).substring(1, valid.length() - 1) : "[" + valid + "]")));
        cases.add(raw(route, "a string", "application/json", utf8("\"hello\"")));
        cases.add(raw(route, "a number", "application/json", utf8("1e400")));
        cases.add(raw(route, "null", "application/json", utf8("null")));
        cases.add(raw(route, "a form", "application/json", utf8("application=x&address=y")));
        cases.add(raw(route, "a comment", "application/json", utf8("/* hi */" + valid)));
        cases.add(raw(route, "NaN", "application/json", utf8(valid.replaceFirst(": ([^,}\\]]+)", ": NaN"))));
        cases.add(raw(route, "single quotes", "application/json", utf8(valid.replace('"', '\''))));
        cases.add(raw(route, "a raw NUL byte", "application/json", utf8(valid.replaceFirst("\\{", "{\u0000"))));
        cases.add(raw(
                route,
                "a raw control character in a string",
                "application/json",
                utf8(valid.replaceFirst("\"", "\"\u0001"))));
        cases.add(raw(
                route,
                "bytes that are not UTF-8",
                "application/json",
                concat(
                        Arrays.copyOf(bytes, bytes.length - (route.batch() ? 2 : 1)),
                        new byte[] {',', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'},
                        route.batch() ? new byte[] {']'} : new byte[0])));
        cases.add(raw(route, "UTF-16", "application/json; charset=UTF-16", valid.getBytes(StandardCharsets.UTF_16)));
        cases.add(raw(route, "text/plain", "text/plain", bytes));
        cases.add(raw(route, "a form content type", "application/x-www-form-urlencoded", bytes));
        cases.add(raw(route, "XML", "application/xml", utf8("<request/>")));
        cases.add(
                raw(route, "multipart", "multipart/form-data; boundary=x", utf8("--x\r\n\r\n" + valid + "\r\n--x--")));
        cases.add(raw(route, "no content type", null, bytes));
        cases.add(raw(route, "a content type that is not one", "not a content type", bytes));
        cases.add(
                raw(route, "nested 100,000 deep", "application/json", utf8("[".repeat(100_000) + "]".repeat(100_000))));
        cases.add(raw(
                route,
                "objects nested 10,000 deep",
                "application/json",
                utf8("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000))));
        cases.add(raw(
                route,
                "3 MiB",
                "application/json",
                utf8("{\"" + route.fields().get(0).name() + "\": \"" + "x".repeat(3 * 1024 * 1024) + "\"}")));
        byte[] noise = new byte[1 + random.nextInt(300)];
        random.nextBytes(noise);
        cases.add(raw(route, "random bytes", "application/json", noise));
        return cases;
    }

    /** One field wrong, everything else valid. */
    private static List<Case> fieldCases(BodyRoute route, Field field) {
        List<Case> cases = new ArrayList<>();
        for (String wrong : wrongValues(field.kind())) {
            Map<String, String> members = route.valid();
            members.put(field.name(), wrong);
            cases.add(bodyCase(route, field.name() + " = " + abbreviate(wrong), route.body(members), field.name()));
        }
        if (field.required()) {
            Map<String, String> missing = route.valid();
            missing.remove(field.name());
            cases.add(bodyCase(route, field.name() + " missing", route.body(missing), field.name()));
            Map<String, String> nulled = route.valid();
            nulled.put(field.name(), "null");
            cases.add(bodyCase(route, field.name() + " null", route.body(nulled), field.name()));
        }
        // the same key twice, the second time with another valid-looking value
        String valid = route.body(route.valid());
        String member = "\"" + field.name() + "\": " + field.valid();
        String twice = valid.replace(member, member + ", " + member);
        cases.add(bodyCase(route, field.name() + " twice", twice, field.name()));
        return cases;
    }

    /** Values that are wrong for a kind, as JSON text: wrong types, wrong content, NULs, lone surrogates, sizes. */
    private static List<String> wrongValues(Kind kind) {
        List<String> notText = List.of("42", "-1.5", "1e400", "true", "[]", "{}", "[\"x\"]", "{\"a\": 1}");
        List<String> badText = List.of("\"a\\u0000b\"", "\"\\ud800\"", "\"\\udc00x\"", q("x".repeat(100_000)));
        List<String> values = new ArrayList<>();
        switch (kind) {
            case NAME -> {
                values.addAll(notText);
                values.addAll(badText);
                values.addAll(List.of(
                        q(""),
                        q("has space"),
                        q("ünïcode"),
                        q("😀"),
                        q("../../etc"),
                        q("-leading"),
                        q("x".repeat(101))));
            }
            case ACTION_NAME -> {
                values.addAll(notText);
                values.addAll(badText);
                values.addAll(List.of(
                        q(""),
                        q("Upper.Case"),
                        q("has space"),
                        q("registry"),
                        q("retry.5s"),
                        q("😀"),
                        q("x".repeat(201))));
            }
            case ADDRESS, HANDLER -> {
                values.addAll(notText);
                values.addAll(badText);
                values.addAll(List.of(
                        q(""),
                        q("not a url"),
                        q("ftp://x.example.com"),
                        q("javascript:alert(1)"),
                        q("https://user:pw@x.example.com"),
                        q("http://"),
                        q("https://exa mple.com"),
                        q("https://x.example.com/#fragment"),
                        q("//evil.example.com/h"),
                        q("https://" + "x".repeat(3000) + ".com")));
                if (kind == Kind.HANDLER) {
                    values.add(q("relative/path"));
                }
            }
            case SECRET -> {
                values.addAll(notText);
                values.addAll(badText);
                values.addAll(List.of(q(""), q("short"), q("x".repeat(600)), "\"sixteen-or-more\\u0001ctl\""));
            }
            case LOGIN_SECRET -> {
                values.addAll(notText);
                values.addAll(badText);
                values.addAll(List.of(q(""), q("wrong-secret-0123456789")));
            }
            case TEXT -> {
                values.addAll(notText);
                values.addAll(badText);
            }
            case COUNT ->
                values.addAll(List.of(
                        q("1"),
                        "1.5",
                        "1e400",
                        "-1e400",
                        "-1",
                        "0",
                        "99999999999999999999999",
                        "2147483648",
                        "true",
                        "[]",
                        "{}",
                        q("a\\u0000")));
            case FLAG -> values.addAll(List.of(q("true"), "1", "0", "[]", "{}", q("yes"), "1e400"));
            case TIME ->
                values.addAll(List.of(
                        q("yesterday"),
                        "1e400",
                        "42",
                        q("2026-13-45T00:00:00Z"),
                        q("2026-01-01T00:00:00Z\\u0000"),
                        q(""),
                        "[]",
                        "{}",
                        "true",
                        q("x".repeat(10_000))));
            case DELAY ->
                values.addAll(List.of(
                        q("yesterday"),
                        "1e400",
                        "-1e400",
                        "-1",
                        "99999999999",
                        "1e308",
                        q("3000-01-01T00:00:00Z"),
                        q("a\\u0000"),
                        "[]",
                        "{}",
                        "true",
                        q("\\ud800")));
            case RETENTION ->
                values.addAll(List.of(
                        q("1s"),
                        q("sometimes"),
                        "42",
                        q("-1d"),
                        q("99999999999999999999d"),
                        q("3d\\u0000"),
                        "[]",
                        "true",
                        q("")));
            case COMPATIBILITY, STATUS ->
                values.addAll(List.of(q("sideways"), q(""), "42", "[]", "{}", q("a\\u0000"), "true"));
            case GIST_STATUS ->
                values.addAll(List.of(q("delivered"), q("pending"), q(""), "42", "[]", q("dead\\u0000"), "true"));
            case SCHEMA ->
                values.addAll(List.of(
                        "42",
                        q("string"),
                        "[]",
                        "null",
                        "{\"type\": \"strnig\"}",
                        "{\"type\": 5}",
                        "{\"minLength\": -1}",
                        "{\"properties\": []}",
                        "{\"required\": \"n\"}",
                        "{\"description\": \"a\\u0000b\"}",
                        "{\"type\": \"object\", \"\\u0000\": 1}",
                        "{\"pattern\": \"(?=x)\"}",
                        "{\"pattern\": \"(\"}",
                        "{\"$ref\": \"http://127.0.0.1:1/x.json\"}",
                        "{\"$schema\": \"http://example.com/unknown\"}",
                        "{\"not\": ".repeat(200) + "{\"type\": 5}" + "}".repeat(200),
                        "{\"maximum\": 1e400}"));
            case PAYLOAD ->
                values.addAll(List.of(
                        "{\"n\": \"seven\"}",
                        "{\"n\": 1.5}",
                        "{\"extra\": 1}",
                        "[]",
                        "42",
                        q("x"),
                        "true",
                        "{\"s\": 7}",
                        "{\"n\": 1e400}"));
            case POINTER ->
                values.addAll(List.of(q("n"), "42", q("/a\\u0000"), q("/" + "x".repeat(5000)), "[]", q("~2")));
            case SUBSCRIBERS ->
                values.addAll(List.of(
                        q("closed"),
                        "42",
                        "[42]",
                        "[\"has space\"]",
                        "[\"\"]",
                        "{}",
                        "true",
                        "[\"a\\u0000\"]",
                        "[[]]",
                        q("")));
            case IDENTIFIER -> {
                values.addAll(notText);
                values.addAll(badText);
            }
            default -> throw new IllegalArgumentException(kind.name());
        }
        return values;
    }

    /** Path variables that name nothing or cannot be names: NULs, bad escapes, huge, unicode, traversal. */
    private static List<Case> pathCases() {
        String admin = product.admin;
        List<String[]> routes = List.of(
                new String[] {"GET", "/v1/applications/{}", null},
                new String[] {"PATCH", "/v1/applications/{}", "{\"address\": \"https://x.example.com\"}"},
                new String[] {"DELETE", "/v1/applications/{}", null},
                new String[] {"GET", "/v1/actions/{}", null},
                new String[] {"PATCH", "/v1/actions/{}", "{\"description\": \"x\"}"},
                new String[] {"POST", "/v1/actions/{}/schemata", "{\"schemata\": {\"type\": \"object\"}}"},
                new String[] {"GET", "/v1/actions/{}/schemata/1", null},
                new String[] {"GET", "/v1/actions/" + ACTION + "/schemata/{}", null},
                new String[] {"GET", "/v1/subscriptions/{}", null},
                new String[] {"PATCH", "/v1/subscriptions/{}", "{\"description\": \"x\"}"},
                new String[] {"DELETE", "/v1/subscriptions/{}", null},
                new String[] {"GET", "/v1/registry/{}/" + ACTION, null},
                new String[] {"GET", "/v1/registry/action/{}", null},
                new String[] {"GET", "/v1/events/{}", null},
                new String[] {"POST", "/v1/regists/{}", null},
                new String[] {"POST", "/v1/subscriptions/{}/redeliver", "{\"status\": \"dead\"}"},
                new String[] {"POST", "/v1/subscriptions/{}/replay", "{\"from\": \"2026-01-01T00:00:00Z\"}"},
                new String[] {"GET", "/v1/subscriptions/{}/replays/x", null},
                new String[] {"GET", "/v1/subscriptions/" + SUBSCRIPTION + "/replays/{}", null});
        List<String> segments = List.of(
                "%00",
                "a%00b",
                "x".repeat(3000),
                "%C3%28",
                "%F0%9F%98%80",
                "%ED%A0%80",
                "%2E%2E%2F%2E%2E%2Fetc",
                "%20",
                "%2F",
                "%FF%FE",
                "-1",
                "99999999999999999999",
                "%0D%0AX-Injected:%201");
        List<String> rawSegments = List.of("%zz", "%", "a%0", "%u0000");
        List<Case> cases = new ArrayList<>();
        for (String[] route : routes) {
            for (String segment : segments) {
                cases.add(new Case(
                        route[1] + " with " + abbreviate(segment),
                        route[0],
                        route[1].replace("{}", segment),
                        route[2] == null ? null : "application/json",
                        route[2] == null ? null : utf8(route[2]),
                        null,
                        false,
                        admin));
            }
            for (String segment : rawSegments) {
                cases.add(new Case(
                        route[1] + " with raw " + segment,
                        route[0],
                        route[1].replace("{}", segment),
                        null,
                        null,
                        null,
                        true,
                        admin));
            }
        }
        return cases;
    }

    /** Query parameters out of range, of the wrong type, with NULs or bad escapes. */
    private static List<Case> queryCases() {
        String admin = product.admin;
        List<String> numbers = List.of("0", "-1", "abc", "1.5", "99999999999999999999", "1e400", "%00", "2147483648");
        List<String> times = List.of(
                "yesterday", "2026-13-45T00:00:00Z", "%00", "1e400", "99999999999999999999", "2026-01-01T00:00:00Z%00");
        List<String> text = List.of("%00", "a%00b");
        Map<String, Map<String, List<String>>> lists = new LinkedHashMap<>();
        lists.put(
                "/v1/applications?",
                Map.of(
                        "application",
                        text,
                        "address",
                        text,
                        "from",
                        times,
                        "to",
                        times,
                        "page",
                        numbers,
                        "pagination",
                        numbers));
        lists.put(
                "/v1/actions?",
                Map.of("action", text, "application", text, "schemata", text, "page", numbers, "pagination", numbers));
        lists.put(
                "/v1/subscriptions?",
                Map.of(
                        "application",
                        text,
                        "action",
                        text,
                        "status",
                        List.of("gone", "%00"),
                        "from",
                        times,
                        "to",
                        times,
                        "page",
                        numbers,
                        "pagination",
                        numbers));
        lists.put(
                "/v1/events?action=" + ACTION + "&",
                Map.of(
                        "from",
                        times,
                        "to",
                        times,
                        "limit",
                        numbers,
                        "cursor",
                        List.of("garbage", "%00", "x".repeat(3000), "-1", "AAAA"),
                        "deduper",
                        text));
        lists.put("/v1/events?", Map.of("action", List.of("%00", "Upper.Case", "has%20space", "x".repeat(300))));
        lists.put(
                "/v1/gists?",
                Map.of(
                        "subscription",
                        text,
                        "action",
                        text,
                        "status",
                        List.of("gone", "%00", ""),
                        "from",
                        times,
                        "to",
                        times,
                        "page",
                        numbers,
                        "pagination",
                        numbers));
        List<Case> cases = new ArrayList<>();
        lists.forEach((path, params) -> new TreeMap<>(params).forEach((param, values) -> {
            for (String value : values) {
                cases.add(new Case(
                        path + param + "=" + abbreviate(value),
                        "GET",
                        path + param + "=" + value,
                        null,
                        null,
                        param,
                        false,
                        admin));
            }
            cases.add(new Case(path + param + "=%zz", "GET", path + param + "=%zz", null, null, null, true, admin));
        }));
        return cases;
    }

    /** Why an answer is wrong for its case, if it is. */
    private static java.util.Optional<String> wrongAnswer(Case c, RunningProduct.Answer answer) {
        String where = c.method() + " " + abbreviate(c.uri()) + " [" + c.description() + "]: ";
        if (answer.status() < 400 || answer.status() >= 500) {
            return java.util.Optional.of(where + answer.status() + " " + abbreviate(answer.body()));
        }
        if (c.raw() && answer.status() == 400 && answer.body().isEmpty()) {
            // a request target that cannot be decoded is refused by the HTTP server, before any route or filter
            return java.util.Optional.empty();
        }
        boolean batchResults = c.uri().equals("/v1/events/batch")
                && answer.status() >= 400
                && answer.contentType() != null
                && answer.contentType().startsWith("application/json");
        if (batchResults) {
            // a batch answers per item (README: 422 when none was appended), each failed item with its problem
            JsonNode item = JSON.readTree(answer.body()).path("results").path(0);
            if (item.path("status").asInt() < 400 || !item.path("error").isString()) {
                return java.util.Optional.of(where + "a batch result without a problem: " + abbreviate(answer.body()));
            }
        } else if (answer.contentType() == null || !answer.contentType().startsWith("application/problem+json")) {
            return java.util.Optional.of(where + answer.status() + " with content type " + answer.contentType());
        }
        JsonNode problem;
        try {
            problem = JSON.readTree(answer.body());
        } catch (RuntimeException e) {
            return java.util.Optional.of(where + "a problem that is not JSON: " + abbreviate(answer.body()));
        }
        if (!batchResults
                && (!problem.path("error").isString()
                        || problem.path("error").asString().isBlank())) {
            return java.util.Optional.of(where + "no error message in " + abbreviate(answer.body()));
        }
        if (c.field() != null && Set.of(400, 409, 422).contains(answer.status())) {
            String pointer = "/" + c.field();
            boolean named = answer.body().contains("\"" + pointer + "\"")
                    || answer.body().contains(pointer + "/")
                    || answer.body().matches("(?s).*\"/\\d+" + pointer + "[\"/].*");
            if (!named) {
                return java.util.Optional.of(
                        where + answer.status() + " does not name " + pointer + ": " + abbreviate(answer.body()));
            }
        }
        return java.util.Optional.empty();
    }

    /** A snapshot once two in a row agree (what the set-up delivered has been logged everywhere). */
    private static Map<String, Object> settledSnapshot() throws Exception {
        Map<String, Object> previous = snapshot();
        for (int i = 0; i < 30; i++) {
            Thread.sleep(1000);
            Map<String, Object> next = snapshot();
            if (next.equals(previous)) {
                return next;
            }
            previous = next;
        }
        throw new AssertionError("the product did not go quiet: " + previous);
    }

    /** The registry's records, the delivery log, and every topic's end offsets. */
    private static Map<String, Object> snapshot() throws Exception {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        for (String list : List.of("/v1/applications", "/v1/actions", "/v1/subscriptions", "/v1/gists")) {
            snapshot.put(list, expect(200, "GET", list + "?pagination=100", product.admin, null));
        }
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, product.bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            Set<String> topics = admin.listTopics().names().get();
            Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
            for (TopicDescription topic :
                    admin.describeTopics(topics).allTopicNames().get().values()) {
                topic.partitions()
                        .forEach(p -> latest.put(new TopicPartition(topic.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<String, Long> ends = new TreeMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> {
                if (!tp.topic().startsWith("__")) {
                    ends.put(tp.toString(), info.offset());
                }
            });
            snapshot.put("topics", ends);
        }
        return snapshot;
    }

    private static String deliveredGist() {
        JsonNode gists =
                JSON.readTree(expect(200, "GET", "/v1/gists?subscription=" + SUBSCRIPTION, product.admin, null));
        for (JsonNode g : gists) {
            if ("delivered".equals(g.path("status").asString())) {
                return g.path("gist").asString();
            }
        }
        return null;
    }

    private static String expect(int status, String method, String uri, String authorization, String json) {
        RunningProduct.Answer answer = product.send(method, uri, authorization, json);
        assertThat(answer.status()).as("%s %s: %s", method, uri, answer.body()).isEqualTo(status);
        return answer.body();
    }

    private static long routesCovered(List<Case> corpus) {
        return corpus.stream()
                .map(c -> c.method() + " " + c.uri().replaceAll("\\?.*", "").replaceAll("/[^/]*%[^/]*", "/*"))
                .distinct()
                .count();
    }

    private static Field field(String name, Kind kind, String valid, boolean required) {
        return new Field(name, kind, valid, required);
    }

    private static Case bodyCase(BodyRoute route, String description, String body, String field) {
        return new Case(
                description,
                route.method(),
                route.path(),
                "application/json",
                utf8(body),
                field,
                false,
                route.authorization());
    }

    private static Case raw(BodyRoute route, String description, String contentType, byte[] body) {
        return new Case(
                description, route.method(), route.path(), contentType, body, null, false, route.authorization());
    }

    private static String q(String text) {
        return "\"" + text + "\"";
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    private static String abbreviate(String text) {
        String flat = text.replace("\u0000", "\\0").replace("\n", " ");
        return flat.length() > 60 ? flat.substring(0, 60) + "…(" + flat.length() + ")" : flat;
    }
}
