package io.amebo.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.web.reactive.function.server.RequestPredicates.DELETE;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.PUT;
import static org.springframework.web.reactive.function.server.RequestPredicates.headers;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import io.amebo.testkit.OpenApiCoverage.Operation;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class OpenApiCoverageTest {

    private static final HandlerFunction<ServerResponse> OK =
            request -> ServerResponse.ok().build();

    @Test
    void readsEveryAlternativeOfAnOrAndEveryNestedRoute() {
        RouterFunction<ServerResponse> router = RouterFunctions.route()
                .route(POST("/v1/tokens").or(POST("/v8/tokens")), OK)
                .route(GET("/v1/things/{name}").or(PUT("/v1/things/{name}")), OK)
                .nest(path("/v2"), nested -> nested.route(DELETE("/things/{id}"), OK))
                .add(RouterFunctions.resources("/files/**", new ClassPathResource("files/")))
                .build();

        OpenApiCoverage.Routes routes = OpenApiCoverage.routes(List.of(router));

        assertThat(routes.operations())
                .containsExactlyInAnyOrder(
                        new Operation("POST", "/v1/tokens"),
                        new Operation("POST", "/v8/tokens"),
                        new Operation("GET", "/v1/things/{name}"),
                        new Operation("PUT", "/v1/things/{name}"),
                        new Operation("DELETE", "/v2/things/{id}"));
        assertThat(routes.resources()).hasSize(1);
    }

    @Test
    void refusesARouteItCannotDescribePerOperation() {
        RouterFunction<ServerResponse> byHeader = RouterFunctions.route(
                GET("/v1/things").and(headers(h -> h.header("X-Kind").contains("a"))), OK);
        RouterFunction<ServerResponse> anyMethod = RouterFunctions.route(path("/v1/anything"), OK);

        assertThatThrownBy(() -> OpenApiCoverage.routes(List.of(byHeader))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> OpenApiCoverage.routes(List.of(anyMethod)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("any method");
    }

    @Test
    void namesWhatMakesADescriptionUnusable() {
        JsonNode document = JsonMapper.builder().build().readTree("""
                {"openapi": "3.0.3",
                 "tags": [{"name": "Things"}],
                 "paths": {
                   "/v1/things/{name}": {
                     "get": {"operationId": "getThing", "tags": ["Things", "Other"], "security": [{"nope": []}],
                             "responses": {"200": {"$ref": "#/components/responses/Missing"}}},
                     "delete": {"operationId": "getThing",
                                "parameters": [{"name": "name", "in": "path", "required": true}],
                                "responses": {}}
                   }
                 },
                 "components": {"securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"}}}}
                """);

        assertThat(OpenApiCoverage.problems(document))
                .anyMatch(p -> p.contains("not 3.1.x"))
                .anyMatch(p -> p.contains("#/components/responses/Missing resolves to nothing"))
                .anyMatch(p -> p.contains("undeclared security scheme nope"))
                .anyMatch(p -> p.contains("undeclared tag Other"))
                .anyMatch(p -> p.contains("GET /v1/things/{name}: path parameters [] but the template has [name]"))
                .anyMatch(p -> p.contains("DELETE /v1/things/{name} has no responses"))
                .anyMatch(p -> p.contains("DELETE /v1/things/{name} has no security requirement"))
                .anyMatch(p -> p.contains("getThing is paths GET /v1/things/{name}'s too"));
    }
}
