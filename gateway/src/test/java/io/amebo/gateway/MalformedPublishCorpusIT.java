package io.amebo.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.RealInfrastructureExtension;
import io.amebo.testkit.SharedKafka;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A generated corpus of malformed publishes (DESIGN §6.3): every one gets a 4xx problem response, never a 500 and
 * never a hang, names the failing field where there is one, and appends nothing.
 */
@RealInfrastructure
class MalformedPublishCorpusIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String VALID_PAYLOAD = "{\"user_id\":\"u1\",\"email\":\"a@b.co\",\"name\":\"A\"}";

    private static ConfigurableApplicationContext gateway;
    private static Client events;
    private static String ownerAuth;
    private static String strangerAuth;
    private static String action;
    private static String othersAction;

    private final long seed = Long.getLong("amebo.test.seed", System.nanoTime());
    private final Random random = new Random(seed);

    record Case(String description, String auth, String contentType, byte[] body, String field) {}

    @BeforeAll
    static void start() {
        ConfigurableApplicationContext registryContext = Services.sharedRegistry();
        gateway = Services.gateway(Services.url(registryContext), RealInfrastructureExtension.springDatabase());
        Client registry = new Client(Services.url(registryContext));
        events = new Client(Services.url(gateway));
        String owner = SharedKafka.uniqueName("corpus");
        ownerAuth = registry.application(owner);
        action = SharedKafka.uniqueName("corpus.user.created");
        registry.action(action, owner, PublishIT.USER_CREATED, "");
        String stranger = SharedKafka.uniqueName("stranger");
        strangerAuth = registry.application(stranger);
        othersAction = SharedKafka.uniqueName("corpus.other");
        registry.action(othersAction, stranger, "{}", "");
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void everyMalformedPublishGetsA4xxProblemAndAppendsNothing(SharedKafka kafka) {
        System.out.println("MalformedPublishCorpusIT seed " + seed + " (rerun with -Damebo.test.seed=" + seed + ")");
        List<Case> corpus = corpus();

        List<String> failures = new ArrayList<>();
        for (Case c : corpus) {
            check(c).ifPresent(failures::add);
        }

        assertThat(failures).as("seed %d, %d cases", seed, corpus.size()).isEmpty();
        assertThat(corpus.size()).isGreaterThan(60);
        assertThat(PublishIT.all(kafka, "amebo." + action)).isEmpty();
        assertThat(PublishIT.all(kafka, "amebo." + othersAction)).isEmpty();
    }

    private List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        String valid = "{\"action\":\"%s\",\"payload\":%s}".formatted(action, VALID_PAYLOAD);
        // the body as a whole
        cases.add(json("empty body", ""));
        cases.add(json("truncated", valid.substring(0, valid.length() / 2)));
        cases.add(json("trailing garbage", valid + "}"));
        cases.add(json("an array", "[" + valid + "]"));
        cases.add(json("a string", "\"" + action + "\""));
        cases.add(json("null", "null"));
        cases.add(new Case(
                "non-UTF-8",
                ownerAuth,
                "application/json",
                concat(
                        valid.substring(0, valid.length() - 2).getBytes(StandardCharsets.UTF_8),
                        new byte[] {'"', (byte) 0xC3, (byte) 0x28, '"', '}'}),
                null));
        cases.add(new Case("text/plain", ownerAuth, "text/plain", bytes(valid), null));
        cases.add(new Case("form", ownerAuth, "application/x-www-form-urlencoded", bytes(valid), null));
        cases.add(new Case("xml", ownerAuth, "application/xml", bytes("<event/>"), null));
        cases.add(json(
                "deep nesting",
                "{\"action\":\"%s\",\"payload\":%s}".formatted(action, "[".repeat(50_000) + "]".repeat(50_000))));
        cases.add(json(
                "oversize body",
                "{\"action\":\"%s\",\"payload\":{\"name\":\"%s\"}}".formatted(action, "x".repeat(2 * 1024 * 1024))));
        cases.add(json(
                "huge array payload", "{\"action\":\"%s\",\"payload\":[%s1]}".formatted(action, "1,".repeat(200_000))));
        byte[] noise = new byte[1 + random.nextInt(300)];
        random.nextBytes(noise);
        cases.add(new Case("random bytes", ownerAuth, "application/json", noise, null));
        // who may publish
        cases.add(new Case("no credentials", null, "application/json", bytes(valid), null));
        cases.add(new Case(
                "another application's action",
                ownerAuth,
                "application/json",
                bytes("{\"action\":\"%s\",\"payload\":{}}".formatted(othersAction)),
                null));
        cases.add(new Case("a stranger publishing", strangerAuth, "application/json", bytes(valid), null));
        cases.add(
                json("unknown action", "{\"action\":\"%s\",\"payload\":{}}".formatted(SharedKafka.uniqueName("nope"))));
        // field by field
        List<String> wrongValues = List.of(
                "42", "-1.5", "true", "[\"x\"]", "{\"x\":1}", "\"\"", "\"" + "x".repeat(100_000) + "\"", "null");
        for (String value : wrongValues) {
            cases.add(field("action", "{\"action\":%s,\"payload\":%s}".formatted(value, VALID_PAYLOAD)));
            cases.add(field("payload", "{\"action\":\"%s\",\"payload\":%s}".formatted(action, value)));
            if (!value.startsWith("\"") || value.equals("\"\"") || value.length() > 1000) {
                cases.add(field(
                        "deduper",
                        "{\"action\":\"%s\",\"payload\":%s,\"deduper\":%s}"
                                .formatted(action, VALID_PAYLOAD, value.equals("null") ? "\"\"" : value)));
            }
            if (!value.startsWith("\"") || value.length() > 1000) {
                cases.add(field(
                        "key",
                        "{\"action\":\"%s\",\"payload\":%s,\"key\":%s}"
                                .formatted(action, VALID_PAYLOAD, value.equals("null") ? "[]" : value)));
            }
        }
        for (String sleep : List.of(
                "-1",
                "\"tomorrow\"",
                "\"2026-13-45T00:00:00Z\"",
                "[]",
                "{}",
                "true",
                "99999999999",
                "1e400",
                "-1e400",
                "\"2999-01-01T00:00:00Z\"")) {
            cases.add(field(
                    "sleep_until",
                    "{\"action\":\"%s\",\"payload\":%s,\"sleep_until\":%s}".formatted(action, VALID_PAYLOAD, sleep)));
        }
        for (String name : List.of("Has Space", "UPPER", "x".repeat(201), ".dot")) {
            cases.add(field("action", "{\"action\":\"%s\",\"payload\":{}}".formatted(name)));
        }
        cases.add(field(
                "surprise", "{\"action\":\"%s\",\"payload\":%s,\"surprise\":1}".formatted(action, VALID_PAYLOAD)));
        cases.add(field(
                "secret", "{\"action\":\"%s\",\"payload\":%s,\"secret\":\"s\"}".formatted(action, VALID_PAYLOAD)));
        // payloads that break the schema in every way
        for (String payload : List.of(
                "{}",
                "{\"user_id\":1,\"email\":\"a@b.co\",\"name\":\"A\"}",
                "{\"user_id\":\"u\",\"email\":\"not an email\",\"name\":\"A\"}",
                "{\"user_id\":\"u\",\"email\":\"a@b.co\",\"name\":\"A\",\"plan\":\"gold\"}",
                "\"text\"",
                "[1,2]")) {
            cases.add(field("payload", "{\"action\":\"%s\",\"payload\":%s}".formatted(action, payload)));
        }
        return cases;
    }

    private Optional<String> check(Case c) {
        var request = events.http().post().uri("/v1/events");
        if (c.auth() != null) {
            request = request.header(HttpHeaders.AUTHORIZATION, c.auth());
        }
        if (c.contentType() != null) {
            request = request.header(HttpHeaders.CONTENT_TYPE, c.contentType());
        }
        EntityExchangeResult<byte[]> result =
                request.bodyValue(c.body()).exchange().expectBody().returnResult();
        int status = result.getStatus().value();
        String where = c.description() + ": ";
        if (status < 400 || status >= 500) {
            byte[] body = result.getResponseBody();
            return Optional.of(
                    where + "status " + status + " " + (body == null ? "" : new String(body, StandardCharsets.UTF_8)));
        }
        String type = result.getResponseHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.startsWith("application/problem+json")) {
            return Optional.of(where + "content type " + type);
        }
        JsonNode problem = JSON.readTree(result.getResponseBody());
        if (problem.path("error").asString("").isBlank()) {
            return Optional.of(where + "no error message");
        }
        if (c.field() != null) {
            boolean named = false;
            for (JsonNode error : problem.path("errors")) {
                named |= error.path("pointer").asString().startsWith("/" + c.field());
            }
            if (!named) {
                return Optional.of(where + "does not name /" + c.field() + " in " + problem);
            }
        }
        return Optional.empty();
    }

    private static Case json(String description, String body) {
        return new Case(description, ownerAuth, "application/json", bytes(body), null);
    }

    private static Case field(String field, String body) {
        String shown = body.length() > 60 ? body.substring(0, 60) + "..." : body;
        return new Case(field + " in " + shown, ownerAuth, "application/json", bytes(body), field);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
