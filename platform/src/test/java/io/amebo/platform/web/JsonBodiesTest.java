package io.amebo.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.reactive.function.server.MockServerRequest;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

class JsonBodiesTest {

    private final JsonBodies bodies = new JsonBodies(JsonMapper.builder().build());

    @Test
    void acceptsUtf8JsonWhateverTheCharsetParameterLooksLike() {
        for (String type : new String[] {
            "application/json",
            "application/json; charset=utf-8",
            "application/json;charset=\"UTF-8\"",
            "application/json; charset=utf8",
            "application/problem+json"
        }) {
            StepVerifier.create(bodies.object(request(type, "{\"a\": 1}".getBytes(StandardCharsets.UTF_8))))
                    .as(type)
                    .expectNextMatches(node -> node.path("a").asInt() == 1)
                    .verifyComplete();
        }
    }

    @Test
    void refusesOtherCharsetsAndBodiesThatAreNotUtf8() {
        assertStatus(request("application/json; charset=utf-16", "{}".getBytes(StandardCharsets.UTF_16)), 415);
        assertStatus(request("application/json; charset=no-such-charset", "{}".getBytes()), 415);
        assertStatus(request("application/json", "{\"a\": 1}".getBytes(StandardCharsets.UTF_16LE)), 400);
        assertStatus(request("application/json", "{\"a\": 1}".getBytes(StandardCharsets.UTF_16)), 400);
        assertStatus(request("text/plain", "{}".getBytes()), 415);
    }

    @Test
    void aMemberGivenTwiceIsRefusedNamingIt() {
        StepVerifier.create(bodies.object(request("application/json", "{\"a\": {\"b\": 1, \"b\": 2}}".getBytes())))
                .expectErrorSatisfies(e -> {
                    ProblemException problem = (ProblemException) e;
                    assertThat(problem.status()).isEqualTo(400);
                    assertThat(problem.problem().errors())
                            .singleElement()
                            .satisfies(error -> assertThat(error.pointer()).isEqualTo("/a/b"));
                })
                .verify();
    }

    private void assertStatus(MockServerRequest request, int status) {
        StepVerifier.create(bodies.object(request))
                .expectErrorMatches(e -> e instanceof ProblemException p && p.status() == status)
                .verify();
    }

    private static MockServerRequest request(String contentType, byte[] body) {
        return MockServerRequest.builder().header("Content-Type", contentType).body(Mono.just(body));
    }
}
