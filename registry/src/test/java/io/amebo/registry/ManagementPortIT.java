package io.amebo.registry;

import io.amebo.testkit.RealInfrastructure;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * With {@code management.server.port} set, health and metrics (which name every action and subscription) are served
 * on that port only, so they can be kept off the network the API is on; the API, its OpenAPI description and
 * Swagger UI stay where they were.
 */
@RealInfrastructure
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@ActiveProfiles("test")
class ManagementPortIT {

    @LocalServerPort
    private int port;

    @LocalManagementPort
    private int managementPort;

    @Test
    void servesHealthAndMetricsOnTheManagementPortOnly() {
        WebTestClient api = client(port);
        WebTestClient management = client(managementPort);

        management.get().uri("/metrics").exchange().expectStatus().isOk();
        management.get().uri("/health").exchange().expectStatus().isOk();
        management.get().uri("/health/ready").exchange().expectStatus().value(status -> {
            if (status != 200 && status != 503) {
                throw new AssertionError("readiness answered " + status);
            }
        });
        api.get().uri("/metrics").exchange().expectStatus().isNotFound();
        api.get().uri("/health").exchange().expectStatus().isNotFound();
        api.get()
                .uri("/v1/applications")
                .header("Authorization", Api.ADMIN)
                .exchange()
                .expectStatus()
                .isOk();
        // the description of the API, and Swagger UI over it, stay with the API
        api.get().uri("/v3/api-docs").exchange().expectStatus().isOk();
        api.get().uri("/swagger-ui/").exchange().expectStatus().isOk();
    }

    private static WebTestClient client(int port) {
        return WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .responseTimeout(java.time.Duration.ofSeconds(30))
                .build();
    }
}
