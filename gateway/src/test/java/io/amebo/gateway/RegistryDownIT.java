package io.amebo.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.SharedPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * DESIGN §6.5: with the registry service and PostgreSQL both stopped, known actions still publish. This test owns
 * its PostgreSQL server (not the JVM's shared one) so that it can stop it.
 */
@RealInfrastructure
class RegistryDownIT {

    @Test
    void publishesKnownActionsWhileTheRegistryAndPostgresAreDown(SharedKafka kafka) throws Exception {
        String prefix = SharedKafka.uniqueName("down");
        String[] ownTopics = {"--amebo.kafka.topic-prefix=" + prefix};
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE amebo");
            }
            SharedPostgres.Database database = new SharedPostgres.Database("amebo", postgres.getPort());
            ConfigurableApplicationContext registryContext = Services.registry(database, ownTopics);
            String owner = SharedKafka.uniqueName("survivor");
            String action = SharedKafka.uniqueName("survives.outage");
            String auth;
            try (ConfigurableApplicationContext gateway =
                    Services.gateway(Services.url(registryContext), database, ownTopics)) {
                Client registry = new Client(Services.url(registryContext));
                Client events = new Client(Services.url(gateway));
                auth = registry.application(owner);
                registry.action(action, owner, "{\"type\":\"object\",\"required\":[\"n\"]}", "");
                String event = "{\"action\":\"%s\",\"payload\":{\"n\":1}}".formatted(action);
                events.post("/v1/events", auth, event).expectStatus().isCreated();

                // the registry view has learnt the application and the action from the changelog
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> gateway.getBean(io.amebo.platform.view.RegistryView.class)
                                .action(action)
                                .isPresent());
                registryContext.close();
                postgres.close();

                events.post("/v1/events", auth, event).expectStatus().isCreated();
                events.post("/v1/events", auth, "{\"action\":\"%s\",\"payload\":{}}".formatted(action))
                        .expectStatus()
                        .isEqualTo(422);
                // deduplication needs PostgreSQL: it says so rather than risk a duplicate
                events.post(
                                "/v1/events",
                                auth,
                                "{\"action\":\"%s\",\"deduper\":\"d\",\"payload\":{\"n\":1}}".formatted(action))
                        .expectStatus()
                        .isEqualTo(503)
                        .expectHeader()
                        .exists("Retry-After");
            }
            assertThat(PublishIT.all(kafka, prefix + "." + action)).hasSize(2);
        }
    }
}
