package io.amebo.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.SharedPostgres;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The registry survives its own death: rows and secrets are usable after a restart (DESIGN §6.7), and a change
 * committed while the changelog could not be published reaches {@code amebo.registry} once a registry runs again.
 */
@RealInfrastructure
class RegistryRestartIT {

    /** Each test has its own database and topic prefix: no other registry in this JVM shares its outbox. */
    private final SharedPostgres.Database database =
            SharedPostgres.get().newDatabase(SharedKafka.uniqueName("restart"));

    private final String prefix = SharedKafka.uniqueName("restart");

    @Test
    void keepsEveryRowAndSecretUsableAcrossARestart() {
        String app = SharedKafka.uniqueName("restart");
        String action = SharedKafka.uniqueName("restart.action");
        try (ConfigurableApplicationContext first = start()) {
            Api api = RunningRegistry.api(first);
            api.application(app, "https://restart.example.com", "restart-secret-0123456789");
            api.action(action, app, "{\"type\":\"object\"}");
        }

        try (ConfigurableApplicationContext second = start()) {
            Api api = RunningRegistry.api(second);
            api.get("/v1/applications/" + app, Api.basic(app, "restart-secret-0123456789"))
                    .expectStatus()
                    .isOk();
            api.get("/v1/actions/" + action, Api.basic(app, "restart-secret-0123456789"))
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .jsonPath("$.application")
                    .isEqualTo(app);
            api.post(
                            "/v1/tokens",
                            null,
                            "{\"application\":\"%s\",\"secret\":\"restart-secret-0123456789\"}".formatted(app))
                    .expectStatus()
                    .isOk();
        }
    }

    @Test
    void publishesAChangeThatWasCommittedWhileKafkaWasUnreachableAfterARestart(SharedKafka kafka) {
        String app = SharedKafka.uniqueName("orphan");
        // The first registry commits the change but cannot publish it: its Kafka is a closed port. It then dies.
        try (ConfigurableApplicationContext cutOff = start(
                "--spring.kafka.bootstrap-servers=127.0.0.1:1",
                "--spring.kafka.producer.properties.max.block.ms=300",
                "--amebo.registry.kafka-timeout=1s")) {
            RunningRegistry.api(cutOff).application(app, "https://orphan.example.com", "orphan-secret-0123456789");
            assertThat(RegistryChangelog.read(kafka, prefix + ".registry")).doesNotContainKey("application/" + app);
        }

        try (ConfigurableApplicationContext revived = start()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Map<String, Optional<String>> changelog = RegistryChangelog.read(kafka, prefix + ".registry");
                assertThat(changelog.get("application/" + app))
                        .isNotNull()
                        .hasValueSatisfying(json -> assertThat(json).contains("orphan.example.com"));
            });
        }
    }

    private ConfigurableApplicationContext start(String... args) {
        return RunningRegistry.start(database, prefix, args);
    }
}
