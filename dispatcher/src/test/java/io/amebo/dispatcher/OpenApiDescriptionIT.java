package io.amebo.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.testkit.OpenApiCoverage;
import io.amebo.testkit.OpenApiCoverage.Operation;
import io.amebo.testkit.RealInfrastructure;
import io.amebo.testkit.SharedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The dispatcher's OpenAPI description ({@code /v3/api-docs}) names exactly the routes the running dispatcher has,
 * describes the webhook it sends, is a well-formed OpenAPI 3.1 document, and Swagger UI shows it under a strict
 * Content-Security-Policy.
 */
@RealInfrastructure
class OpenApiDescriptionIT {

    private static Fixtures fixtures;
    private static ConfigurableApplicationContext dispatcher;
    private static OpenApiCoverage coverage;

    @BeforeAll
    static void startADispatcher() {
        fixtures = new Fixtures(SharedKafka.get());
        dispatcher = fixtures.dispatcher();
        coverage = OpenApiCoverage.of(dispatcher, Fixtures.url(dispatcher));
    }

    @AfterAll
    static void stop() {
        dispatcher.close();
        fixtures.close();
    }

    @Test
    void describesEveryRouteTheDispatcherServesAndNoOther() {
        assertThat(coverage.routed())
                .as("the dispatcher's routes")
                .contains(
                        new Operation("GET", "/v1/gists"),
                        new Operation("POST", "/v1/regists/{gist}"),
                        new Operation("POST", "/v1/subscriptions/{name}/redeliver"),
                        new Operation("POST", "/v1/subscriptions/{name}/replay"),
                        new Operation("GET", "/v1/subscriptions/{name}/replays/{replay}"));
        assertThat(coverage.mismatches()).as("routes and description disagree").isEmpty();
        assertThat(coverage.resources()).singleElement().asString().startsWith("Swagger UI");
        assertThat(coverage.document().path("webhooks").has("delivery"))
                .as("the webhook it sends")
                .isTrue();
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
