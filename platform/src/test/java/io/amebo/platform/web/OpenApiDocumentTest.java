package io.amebo.platform.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amebo.platform.web.OpenApiDocument.Fragment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class OpenApiDocumentTest {

    private static final String HEAD = """
            x-amebo-served-by: common
            openapi: 3.1.1
            info: {title: t, version: "1"}
            components:
              schemas:
                Problem: {type: object}
            """;

    @Test
    void mergesPathsComponentsAndTagsOfEveryFragment() {
        ObjectNode merged = OpenApiDocument.merge(
                List.of(fragment("common.yaml", HEAD), fragment("a.yaml", """
                        tags: [{name: A}]
                        paths:
                          /v1/things/{name}:
                            get: {operationId: getThing, responses: {"200": {description: ok}}}
                        components:
                          schemas:
                            Problem: {type: object}
                            Thing: {type: object}
                        """), fragment("b.yaml", """
                        tags: [{name: A}, {name: B}]
                        paths:
                          /v1/things/{name}:
                            delete: {operationId: deleteThing, responses: {"204": {description: gone}}}
                        webhooks:
                          delivery:
                            post: {operationId: deliver, responses: {"200": {description: ok}}}
                        """)));

        assertThat(merged.propertyNames())
                .containsExactly("openapi", "info", "tags", "paths", "webhooks", "components");
        assertThat(merged.path("paths").path("/v1/things/{name}").propertyNames())
                .containsExactly("get", "delete");
        assertThat(merged.path("components").path("schemas").propertyNames()).containsExactly("Problem", "Thing");
        assertThat(merged.path("tags").findValuesAsString("name")).containsExactly("A", "B");
        assertThat(merged.has(OpenApiDocument.SERVED_BY)).isFalse();
    }

    @Test
    void refusesTwoFragmentsDescribingTheSameOperation() {
        String get = """
                paths:
                  /v1/things:
                    get: {operationId: %s, responses: {"200": {description: ok}}}
                """;
        assertThatThrownBy(() -> OpenApiDocument.merge(
                        List.of(fragment("a.yaml", get.formatted("one")), fragment("b.yaml", get.formatted("two")))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a.yaml and b.yaml both describe GET /v1/things");
    }

    @Test
    void refusesAComponentDefinedTwoWaysAndAnOperationIdUsedTwice() {
        assertThatThrownBy(() -> OpenApiDocument.merge(List.of(
                        fragment("a.yaml", "components: {schemas: {Thing: {type: object}}}"),
                        fragment("b.yaml", "components: {schemas: {Thing: {type: string}}}"))))
                .hasMessageContaining("a.yaml and b.yaml both define differently components/schemas/Thing");
        assertThatThrownBy(() -> OpenApiDocument.merge(List.of(
                        fragment("a.yaml", "paths: {/a: {get: {operationId: same, responses: {}}}}"),
                        fragment("b.yaml", "paths: {/b: {get: {operationId: same, responses: {}}}}"))))
                .hasMessageContaining("operationId same is given to both GET /a and GET /b");
        assertThatThrownBy(() -> OpenApiDocument.merge(
                        List.of(fragment("a.yaml", "openapi: 3.1.1"), fragment("b.yaml", "openapi: 3.1.0"))))
                .hasMessageContaining("both define differently openapi");
    }

    @Test
    void loadsOnlyTheFragmentsOfActiveConfigurations() {
        OpenApiDocument common = OpenApiDocument.load(
                new PathMatchingResourcePatternResolver(), "io.amebo.platform.config.OpenApiAutoConfiguration"::equals);
        OpenApiDocument none = OpenApiDocument.load(new PathMatchingResourcePatternResolver(), name -> false);

        assertThat(common.tree().path("openapi").asString()).startsWith("3.1.");
        assertThat(common.tree().path("paths").propertyNames())
                .contains("/health", "/health/ready", "/health/live", "/metrics", "/v3/api-docs", "/v3/api-docs.yaml");
        assertThat(none.tree().isEmpty()).isTrue();
        JsonNode fromYaml = OpenApiDocument.yamlMapper().readTree(common.yaml());
        assertThat(fromYaml).isEqualTo(JsonMapper.builder().build().readTree(common.json()));
    }

    @Test
    void servesTheDescriptionAndSwaggerUiWithAStrictPolicy() {
        OpenApiDocument document = OpenApiDocument.load(new PathMatchingResourcePatternResolver(), name -> true);
        WebTestClient http = WebTestClient.bindToRouterFunction(OpenApiRoutes.router(document, "5.34.1"))
                .build();

        http.get()
                .uri("/v3/api-docs")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.openapi")
                .isEqualTo("3.1.1");
        http.get()
                .uri("/v3/api-docs.yaml")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentTypeCompatibleWith("application/yaml");
        http.get()
                .uri("/swagger-ui/")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("Content-Security-Policy", OpenApiRoutes.CONTENT_SECURITY_POLICY)
                .expectHeader()
                .contentTypeCompatibleWith("text/html");
        http.get()
                .uri("/swagger-ui/swagger-ui-bundle.js")
                .exchange()
                .expectStatus()
                .isOk();
        http.get()
                .uri("/swagger-ui/swagger-initializer.js")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(js -> assertThat(js).contains("\"../v3/api-docs\""));
        http.get().uri("/swagger-ui/no-such-file.js").exchange().expectStatus().isNotFound();
        http.get()
                .uri("/swagger-ui/..%2Fpom.properties")
                .exchange()
                .expectStatus()
                .isNotFound();
    }

    private static Fragment fragment(String name, String yaml) {
        return new Fragment(name, (ObjectNode) OpenApiDocument.yamlMapper().readTree(yaml));
    }
}
