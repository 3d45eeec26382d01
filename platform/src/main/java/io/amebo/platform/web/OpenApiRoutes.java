package io.amebo.platform.web;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Serves the {@link OpenApiDocument} at {@code /v3/api-docs} (JSON) and {@code /v3/api-docs.yaml}, and Swagger UI at
 * {@code /swagger-ui/}: its files come from the {@code org.webjars:swagger-ui} jar, the page and the script that
 * points it at {@code ../v3/api-docs} from this module, so that the page has no inline script and is sent with a
 * strict Content-Security-Policy. None of it needs a credential; none of it names anything but the API itself.
 */
public final class OpenApiRoutes {

    public static final String JSON_PATH = "/v3/api-docs";
    public static final String YAML_PATH = "/v3/api-docs.yaml";
    public static final String UI_PATH = "/swagger-ui/";

    /**
     * Everything from this origin; Swagger UI draws a few images as data: URIs, and its bundle (5.34.1) adds one
     * {@code <style>} element, allowed by its hash rather than by {@code 'unsafe-inline'} (a Swagger UI whose element
     * differs loses that one style, and the browser's console says so).
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; script-src 'self';"
            + " style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='; object-src 'none';"
            + " base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

    private OpenApiRoutes() {}

    public static RouterFunction<ServerResponse> router(OpenApiDocument document, String swaggerUiVersion) {
        byte[] json = document.json();
        byte[] yaml = document.yaml();
        return RouterFunctions.route()
                .route(
                        GET(JSON_PATH),
                        request -> ServerResponse.ok()
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(json))
                .route(
                        GET(YAML_PATH),
                        request -> ServerResponse.ok().contentType(YAML).bodyValue(yaml))
                .add(RouterFunctions.resources(new SwaggerUiFiles(swaggerUiVersion), OpenApiRoutes::uiHeaders))
                .build();
    }

    private static void uiHeaders(Resource resource, HttpHeaders headers) {
        headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
    }

    /**
     * Finds the file a {@code /swagger-ui/...} request asks for: this module's page and initializer, else the
     * WebJar's file of that name. Only plain file names directly under {@code /swagger-ui/} are looked up.
     */
    static final class SwaggerUiFiles implements Function<ServerRequest, Mono<Resource>> {

        private static final String OWN = "io/amebo/platform/web/swagger-ui/";
        private static final Set<String> OWN_FILES = Set.of("index.html", "swagger-initializer.js");
        private static final Pattern FILE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]*$");

        private final String webJar;

        SwaggerUiFiles(String swaggerUiVersion) {
            this.webJar =
                    swaggerUiVersion == null ? null : "META-INF/resources/webjars/swagger-ui/" + swaggerUiVersion + "/";
        }

        @Override
        public Mono<Resource> apply(ServerRequest request) {
            String path = request.path();
            if (!path.startsWith(UI_PATH)) {
                return Mono.empty();
            }
            String file = path.equals(UI_PATH) ? "index.html" : path.substring(UI_PATH.length());
            if (OWN_FILES.contains(file)) {
                return Mono.just(new ClassPathResource(OWN + file));
            }
            if (webJar == null || !FILE.matcher(file).matches() || file.contains("..")) {
                return Mono.empty();
            }
            Resource resource = new ClassPathResource(webJar + file);
            return resource.exists() ? Mono.just(resource) : Mono.empty();
        }

        /** What route walkers (the authorization matrix, the OpenAPI coverage check) see of this route. */
        @Override
        public String toString() {
            return "Swagger UI under " + UI_PATH;
        }
    }
}
