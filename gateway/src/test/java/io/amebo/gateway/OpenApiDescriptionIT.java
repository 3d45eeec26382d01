package io.amebo.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.testkit.OpenApiCoverage;
import io.amebo.testkit.OpenApiCoverage.Operation;
import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.RealInfrastructureExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The gateway's OpenAPI description ({@code /v3/api-docs}) names exactly the routes the running gateway has, is a
 * well-formed OpenAPI 3.1 document, and Swagger UI shows it under a strict Content-Security-Policy. The registry's
 * jar (and so its fragment) is on this classpath too: the gateway must describe its own routes only.
 */
@RealInfrastructure
class OpenApiDescriptionIT {

    private static ConfigurableApplicationContext gateway;
    private static OpenApiCoverage coverage;

    @BeforeAll
    static void startAGateway() {
        gateway =
                Services.gateway(Services.url(Services.sharedRegistry()), RealInfrastructureExtension.springDatabase());
        coverage = OpenApiCoverage.of(gateway, Services.url(gateway));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void describesEveryRouteTheGatewayServesAndNoOther() {
        assertThat(coverage.routed())
                .as("the gateway's routes")
                .contains(
                        new Operation("POST", "/v1/events"),
                        new Operation("POST", "/v1/events/batch"),
                        new Operation("GET", "/v1/events"),
                        new Operation("GET", "/v1/events/{id}"));
        assertThat(coverage.mismatches()).as("routes and description disagree").isEmpty();
        assertThat(coverage.resources()).singleElement().asString().startsWith("Swagger UI");
        assertThat(coverage.document().path("paths").has("/v1/applications"))
                .as("the registry's routes, though its jar is on the classpath")
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
