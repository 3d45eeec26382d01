package io.amebo.gateway;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.RealInfrastructureExtension;
import io.amebo.testkit.SharedKafka;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * When Kafka cannot take an event, the publisher hears 503 with Retry-After, never a hang (the client gives up after
 * 30 s) or a 500; the gateway stays live (DESIGN §6.5) and says what is down.
 */
@RealInfrastructure
class KafkaDownIT {

    @Test
    void answers503WithRetryAfterWhenTheBrokerIsUnreachable() {
        ConfigurableApplicationContext registryContext = Services.sharedRegistry();
        Client registry = new Client(Services.url(registryContext));
        String owner = SharedKafka.uniqueName("unlucky");
        String auth = registry.application(owner);
        String action = SharedKafka.uniqueName("never.acked");
        registry.action(action, owner, "{\"type\":\"object\"}", "");

        // a gateway whose Kafka is a closed port: it learns the action from the registry, but cannot append
        try (ConfigurableApplicationContext gateway = Services.gateway(
                Services.url(registryContext),
                RealInfrastructureExtension.springDatabase(),
                "--spring.kafka.bootstrap-servers=127.0.0.1:1",
                "--amebo.gateway.publish-timeout=2s")) {
            Client events = new Client(Services.url(gateway));

            events.post("/v1/events", auth, "{\"action\":\"%s\",\"payload\":{}}".formatted(action))
                    .expectStatus()
                    .isEqualTo(503)
                    .expectHeader()
                    .valueEquals("Retry-After", "1")
                    .expectHeader()
                    .contentType("application/problem+json");

            // alive all the same: liveness answers 200 and names the component that is down; readiness does not
            events.get("/health", null)
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .jsonPath("$.status")
                    .isEqualTo("DOWN")
                    .jsonPath("$.components.kafka.status")
                    .isEqualTo("DOWN")
                    .jsonPath("$.components.diskSpace.status")
                    .isEqualTo("UP");
            events.get("/health/ready", null).expectStatus().isEqualTo(503);
        }
    }
}
