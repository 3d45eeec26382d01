package io.amebo.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.testkit.OpenApiCoverage;
import io.amebo.testkit.OpenApiCoverage.Operation;
import io.amebo.testkit.RealInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.ActiveProfiles;

/**
 * The registry's OpenAPI description ({@code /v3/api-docs}) names exactly the routes the running registry has, is a
 * well-formed OpenAPI 3.1 document, and Swagger UI shows it under a strict Content-Security-Policy. (The same
 * context as {@link RegistryEndpointsIT}; the standalone's OpenApiDescriptionIT checks real answers against it.)
 */
@RealInfrastructure
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s") // a shared CI machine can stall a request for seconds
@ActiveProfiles("test")
class OpenApiDescriptionIT {

    @Autowired
    private ApplicationContext context;

    @LocalServerPort
    private int port;

    private OpenApiCoverage coverage;

    @BeforeEach
    void readTheDescriptionAndTheRoutes() {
        coverage = OpenApiCoverage.of(context, "http://localhost:" + port);
    }

    @Test
    void describesEveryRouteTheRegistryServesAndNoOther() {
        assertThat(coverage.routed())
                .as("the registry's routes, aliases included")
                .contains(
                        new Operation("POST", "/v1/tokens"),
                        new Operation("POST", "/v8/tokens"),
                        new Operation("PATCH", "/v1/applications/{name}"),
                        new Operation("PUT", "/v1/applications/{name}"),
                        new Operation("GET", "/v1/registry/{kind}/{name}"));
        assertThat(coverage.mismatches()).as("routes and description disagree").isEmpty();
        assertThat(coverage.resources()).singleElement().asString().startsWith("Swagger UI");
        assertThat(coverage.document().path("paths").has("/v1/events"))
                .as("only the registry's own routes")
                .isFalse();
    }

    @Test
    void isAWellFormedOpenApi31Document() {
        assertThat(coverage.document().path("openapi").asString()).startsWith("3.1.");
        assertThat(coverage.problems())
                .as("what makes the description unusable")
                .isEmpty();
    }

    @Test
    void servesSwaggerUiWithoutInlineScript() {
        assertThat(coverage.swaggerUiProblems()).isEmpty();
    }
}
