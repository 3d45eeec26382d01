package io.amebo.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.registry.store.SecretResealing;
import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Secrets sealed before they were bound to their application are re-sealed bound, and keep working. */
@RealInfrastructure
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
@ActiveProfiles("test")
class SecretResealingIT {

    /** "legacy-secret-0123456789" sealed (v1, unbound) under the test master key. */
    private static final String LEGACY = "v1.pNv41XRefSy62uhBp_CpPYvBxouH1g6RTH5wEUix_1Jn8v3TAN2wslvTnqPw5kIgT3QQ8w";

    @Autowired
    private WebTestClient http;

    @Autowired
    private DatabaseClient db;

    @Autowired
    private SecretResealing resealing;

    @Test
    void reSealsAnUnboundSecretBoundToItsApplicationAndItKeepsWorking() {
        String name = SharedKafka.uniqueName("legacy");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        db.sql("INSERT INTO applications (name, address, secret_sealed, created_at, updated_at)"
                        + " VALUES (:name, 'https://legacy.example.com', :sealed, :now, :now)")
                .bind("name", name)
                .bind("sealed", LEGACY)
                .bind("now", now)
                .then()
                .block();

        assertThat(resealing.reseal().block()).isGreaterThanOrEqualTo(1);

        String sealed = db.sql("SELECT secret_sealed FROM applications WHERE name = :name")
                .bind("name", name)
                .map(row -> row.get("secret_sealed", String.class))
                .one()
                .block();
        assertThat(sealed).startsWith("v2.");
        new Api(http)
                .get("/v1/applications/" + name, Api.basic(name, "legacy-secret-0123456789"))
                .expectStatus()
                .isOk();
    }
}
