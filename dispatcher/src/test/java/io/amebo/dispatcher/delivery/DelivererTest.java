package io.amebo.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.contract.registry.ApplicationState;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.StubRegistryView;
import io.amebo.platform.auth.SecretCipher;
import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Reply;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import tools.jackson.databind.json.JsonMapper;

/** One attempt through the breaker, against a real local receiver. */
class DelivererTest {

    private static final SecretCipher CIPHER = SecretCipher.fromBase64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
            .permittedNumberOfCallsInHalfOpenState(1)
            .build());
    private final SubscriptionState subscription = new SubscriptionState(
            "probe",
            "subscriber",
            "thing.done",
            "/hook",
            5,
            false,
            null,
            null,
            "active",
            null,
            Instant.now(),
            "id-1",
            null,
            null);

    @AfterEach
    void close() {
        receiver.close();
    }

    @Test
    void aHalfOpenProbeAbandonedBeforeItsAnswerGivesItsPermitBack() {
        receiver.respondByDefault(Reply.status(200).after(Duration.ofSeconds(30)));
        Deliverer deliverer = deliverer();
        CircuitBreaker breaker = deliverer.breaker("probe");
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();

        Disposable probe = deliverer.deliver(subscription, event(), 1).subscribe();
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.count() == 1);
        assertThat(breaker.tryAcquirePermission())
                .as("the probe holds the only permit")
                .isFalse();

        probe.dispose(); // its partition was revoked, or its worker stopped

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(breaker.tryAcquirePermission())
                .as("the next attempt may probe")
                .isTrue();
    }

    private Deliverer deliverer() {
        WebhookSender sender = new WebhookSender(WebClient.create(), Duration.ofSeconds(60), false, true, () -> {});
        return new Deliverer(
                StubRegistryView.of(new ApplicationState(
                        "subscriber",
                        receiver.url("/"),
                        List.of(new ApplicationState.SealedSecret(
                                CIPHER.seal("subscriber-secret-0123", "subscriber"), null)),
                        Instant.now())),
                CIPHER,
                sender,
                breakers,
                JsonMapper.builder().build(),
                Clock.systemUTC(),
                new SimpleMeterRegistry(),
                Duration.ofSeconds(5),
                Duration.ofSeconds(2));
    }

    private static Event event() {
        return new Event(
                UUID.randomUUID().toString(),
                "thing.done",
                "owner",
                null,
                "{}".getBytes(StandardCharsets.UTF_8),
                Instant.now(),
                null,
                Optional.empty(),
                new RecordHeaders());
    }
}
