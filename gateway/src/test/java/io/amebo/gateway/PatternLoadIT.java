package io.amebo.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.RealInfrastructureExtension;
import io.amebo.testkit.SharedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A schema's {@code pattern} cannot be turned against the gateway (ReDoS): payloads built to make a backtracking
 * engine explode are refused as fast as any other, while other publishers go on. On the JDK's engine each of them
 * would hold an event loop for hours and this test could not finish.
 */
@RealInfrastructure
class PatternLoadIT {

    private static ConfigurableApplicationContext gateway;
    private static Client registry;
    private static WebClient events;

    @BeforeAll
    static void start() {
        ConfigurableApplicationContext registryContext = Services.sharedRegistry();
        gateway = Services.gateway(Services.url(registryContext), RealInfrastructureExtension.springDatabase());
        registry = new Client(Services.url(registryContext));
        events = WebClient.create(Services.url(gateway));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void catastrophicPatternsCostOtherPublishersNothing() {
        String owner = SharedKafka.uniqueName("publisher");
        String auth = registry.application(owner);
        String evil = SharedKafka.uniqueName("evil.pattern");
        registry.action(
                evil,
                owner,
                "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"pattern\":\"^(.*a){15}b$\"}}}",
                "");
        String plain = SharedKafka.uniqueName("plain.event");
        registry.action(plain, owner, PublishIT.USER_CREATED, "");
        String attack = "{\"action\":\"" + evil + "\",\"payload\":{\"s\":\"" + "a".repeat(50) + "\"}}";
        String honest =
                "{\"action\":\"" + plain + "\",\"payload\":{\"user_id\":\"u1\",\"email\":\"a@b.co\",\"name\":\"A\"}}";

        List<CompletableFuture<Integer>> attacks = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            attacks.add(publish(auth, attack));
        }
        List<Integer> others = Flux.range(0, 100)
                .flatMap(i -> Mono.fromFuture(() -> publish(auth, honest)), 8)
                .collectList()
                .block(Duration.ofSeconds(60));

        assertThat(others).hasSize(100).containsOnly(201);
        assertThat(attacks).allSatisfy(a -> assertThat(a.join()).isEqualTo(422));
    }

    private static CompletableFuture<Integer> publish(String auth, String body) {
        return events.post()
                .uri("/v1/events")
                .header(HttpHeaders.AUTHORIZATION, auth)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchangeToMono(response ->
                        response.releaseBody().thenReturn(response.statusCode().value()))
                .timeout(Duration.ofSeconds(60))
                .toFuture();
    }
}
