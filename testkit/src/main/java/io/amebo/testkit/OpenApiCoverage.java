package io.amebo.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.context.ApplicationContext;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Holds a service's served OpenAPI description ({@code /v3/api-docs}) to the routes its running Spring context really
 * has, in both directions: every operation of every {@code RouterFunction} bean (read with Spring's
 * {@link RouterFunctions.Visitor} and {@link RequestPredicates.Visitor}, not from strings) must be described, and
 * every described operation must be routed, or else be answered by the server some other way (the actuator's
 * operating endpoints), which {@link #mismatches()} checks by calling it. Also checks the rules a description must
 * keep to be usable at all ({@link #problems()}).
 */
public final class OpenApiCoverage {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final List<String> METHODS =
            List.of("get", "put", "post", "delete", "patch", "options", "head", "trace");
    private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{([^}/]+)}");

    /** One operation: an upper-case method and a path pattern as the router declares it ({@code /v1/actions/{name}}). */
    public record Operation(String method, String path) implements Comparable<Operation> {
        @Override
        public int compareTo(Operation other) {
            int byPath = path.compareTo(other.path);
            return byPath != 0 ? byPath : method.compareTo(other.method);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** What router functions route: operations, and static-file lookups each as it describes itself. */
    public record Routes(Set<Operation> operations, List<String> resources) {}

    private final String baseUrl;
    private final JsonNode document;
    private final Set<Operation> routed;
    private final List<String> resources;

    private OpenApiCoverage(String baseUrl, JsonNode document, Routes routes) {
        this.baseUrl = baseUrl;
        this.document = document;
        this.routed = routes.operations();
        this.resources = routes.resources();
    }

    /** Fetches the description {@code baseUrl} serves and walks the router functions of {@code context}. */
    public static OpenApiCoverage of(ApplicationContext context, String baseUrl) {
        HttpResponse<String> answer = send(baseUrl, "GET", "/v3/api-docs");
        if (answer.statusCode() != 200) {
            throw new AssertionError("GET /v3/api-docs answered " + answer.statusCode() + ": " + answer.body());
        }
        List<RouterFunction<?>> routers = new ArrayList<>();
        context.getBeansOfType(RouterFunction.class).values().forEach(routers::add);
        return new OpenApiCoverage(baseUrl, JSON.readTree(answer.body()), routes(routers));
    }

    /**
     * Every operation of {@code routers}, read with Spring's visitors. A route that matches any method or path, or
     * that has a condition beyond method and path (a header, a negation, ...), cannot be described per operation
     * and is an {@link IllegalStateException}.
     */
    public static Routes routes(List<RouterFunction<?>> routers) {
        Routes routes = new Routes(new TreeSet<>(), new ArrayList<>());
        for (RouterFunction<?> router : routers) {
            router.accept(new RouteWalker(routes));
        }
        return routes;
    }

    /** The served description. */
    public JsonNode document() {
        return document;
    }

    /** Every operation the context's router functions route. */
    public Set<Operation> routed() {
        return routed;
    }

    /** The static-file lookups among the routes ({@code RouterFunctions.resources}), each as it describes itself. */
    public List<String> resources() {
        return resources;
    }

    /** Every operation under the description's {@code paths}. */
    public Set<Operation> documented() {
        Set<Operation> documented = new TreeSet<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            for (String method : METHODS) {
                if (path.getValue().has(method)) {
                    documented.add(new Operation(method.toUpperCase(Locale.ROOT), path.getKey()));
                }
            }
        }
        return documented;
    }

    /**
     * What disagrees, one sentence each: routed operations the description lacks, and described operations that no
     * router routes and that the server answers with 404 or 405 (so do not exist).
     */
    public List<String> mismatches() {
        List<String> mismatches = new ArrayList<>();
        Set<Operation> documented = documented();
        for (Operation operation : routed) {
            if (!documented.contains(operation)) {
                mismatches.add(operation + " is routed but not described");
            }
        }
        for (Operation operation : documented) {
            if (!routed.contains(operation)) {
                int status = send(baseUrl, operation.method(), operation.path()).statusCode();
                if (status == 404 || status == 405) {
                    mismatches.add(operation + " is described but answers " + status + " (no such route)");
                }
            }
        }
        return mismatches;
    }

    /**
     * Why the description is not a usable OpenAPI 3.1 document, one sentence each: the version; a local
     * {@code $ref} that resolves to nothing (or any remote one); an operation without responses, an explicit
     * {@code security} or a unique {@code operationId}; a security scheme or tag that is not declared; a path
     * template variable without its required path parameter, or a path parameter the template does not have.
     */
    public List<String> problems() {
        return problems(document);
    }

    /** {@link #problems()} of any document. */
    public static List<String> problems(JsonNode document) {
        List<String> problems = new ArrayList<>();
        if (!document.path("openapi").asString("").matches("3\\.1\\.\\d+")) {
            problems.add("openapi is " + document.path("openapi") + ", not 3.1.x");
        }
        checkReferences(document, document, "", problems);
        Set<String> schemes = new HashSet<>();
        document.path("components").path("securitySchemes").propertyNames().forEach(schemes::add);
        Set<String> tags = new HashSet<>();
        document.path("tags").forEach(tag -> tags.add(tag.path("name").asString()));
        Map<String, String> operationIds = new LinkedHashMap<>();
        for (String section : List.of("paths", "webhooks")) {
            for (Map.Entry<String, JsonNode> path : document.path(section).properties()) {
                for (String method : METHODS) {
                    JsonNode operation = path.getValue().get(method);
                    if (operation != null) {
                        String where = section + " " + method.toUpperCase(Locale.ROOT) + " " + path.getKey();
                        checkOperation(where, operation, schemes, tags, problems);
                        String id = operation.path("operationId").asString("");
                        String before = id.isEmpty() ? null : operationIds.putIfAbsent(id, where);
                        if (id.isEmpty() || before != null) {
                            problems.add(where + " has no operationId of its own"
                                    + (before == null ? "" : " (" + id + " is " + before + "'s too)"));
                        }
                        if (section.equals("paths")) {
                            checkPathParameters(document, where, path.getKey(), path.getValue(), operation, problems);
                        }
                    }
                }
            }
        }
        return problems;
    }

    private static void checkOperation(
            String where, JsonNode operation, Set<String> schemes, Set<String> tags, List<String> problems) {
        if (operation.path("responses").isEmpty()) {
            problems.add(where + " has no responses");
        }
        JsonNode security = operation.get("security");
        if (security == null || !security.isArray()) {
            problems.add(where + " has no security requirement (say security: [] when it needs none)");
        } else {
            for (JsonNode requirement : security) {
                requirement.propertyNames().forEach(scheme -> {
                    if (!schemes.contains(scheme)) {
                        problems.add(where + " names the undeclared security scheme " + scheme);
                    }
                });
            }
        }
        for (JsonNode tag : operation.path("tags")) {
            if (!tags.contains(tag.asString())) {
                problems.add(where + " has the undeclared tag " + tag.asString());
            }
        }
    }

    private static void checkPathParameters(
            JsonNode document,
            String where,
            String path,
            JsonNode pathItem,
            JsonNode operation,
            List<String> problems) {
        Set<String> declared = new TreeSet<>();
        for (JsonNode parameters : List.of(pathItem.path("parameters"), operation.path("parameters"))) {
            for (JsonNode parameter : parameters) {
                JsonNode resolved = resolve(document, parameter);
                if (resolved.path("in").asString("").equals("path")) {
                    declared.add(resolved.path("name").asString());
                    if (!resolved.path("required").asBoolean(false)) {
                        problems.add(where + ": path parameter " + resolved.path("name") + " must be required");
                    }
                }
            }
        }
        Set<String> inTemplate = new TreeSet<>();
        Matcher m = TEMPLATE_VARIABLE.matcher(path);
        while (m.find()) {
            inTemplate.add(m.group(1));
        }
        if (!declared.equals(inTemplate)) {
            problems.add(where + ": path parameters " + declared + " but the template has " + inTemplate);
        }
    }

    private static void checkReferences(JsonNode document, JsonNode node, String at, List<String> problems) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isString()) {
                String target = ref.asString();
                if (!target.startsWith("#/")) {
                    problems.add(at + ": $ref " + target + " is not local");
                } else if (document.at(target.substring(1)).isMissingNode()) {
                    problems.add(at + ": $ref " + target + " resolves to nothing");
                }
            }
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                checkReferences(document, member.getValue(), at + "/" + member.getKey(), problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkReferences(document, node.get(i), at + "/" + i, problems);
            }
        }
    }

    /**
     * Why Swagger UI at {@code /swagger-ui/} would not show this description under a strict Content-Security-Policy,
     * one sentence each: the page or a file it loads is not served without credentials, the page carries inline
     * script or style, its policy allows inline script, or its initializer does not load {@code ../v3/api-docs}.
     */
    public List<String> swaggerUiProblems() {
        List<String> problems = new ArrayList<>();
        HttpResponse<String> page = send(baseUrl, "GET", "/swagger-ui/");
        String policy = page.headers().firstValue("Content-Security-Policy").orElse("");
        if (page.statusCode() != 200
                || !page.headers().firstValue("Content-Type").orElse("").startsWith("text/html")) {
            return List.of("GET /swagger-ui/ answered " + page.statusCode() + " "
                    + page.headers().firstValue("Content-Type").orElse("without a content type"));
        }
        if (!policy.contains("script-src 'self'") || policy.contains("unsafe-")) {
            problems.add("the page's Content-Security-Policy is not strict: " + policy);
        }
        String html = page.body();
        Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(html);
        while (scripts.find()) {
            if (!scripts.group(1).contains("src=")) {
                problems.add("the page has an inline script");
            }
        }
        if (html.contains("<style") || html.contains(" style=") || html.matches("(?s).*\son[a-z]+=.*")) {
            problems.add("the page has inline style or event handlers");
        }
        Matcher files = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
        boolean initializer = false;
        while (files.find()) {
            String file = files.group(1);
            HttpResponse<String> answer = send(baseUrl, "GET", "/swagger-ui/" + file);
            if (answer.statusCode() != 200) {
                problems.add("/swagger-ui/" + file + " answered " + answer.statusCode());
            } else if (file.equals("swagger-initializer.js")) {
                initializer = answer.body().contains("\"../v3/api-docs\"");
            }
        }
        if (!initializer) {
            problems.add("the page does not load swagger-initializer.js pointing at ../v3/api-docs");
        }
        return problems;
    }

    /** Follows local {@code $ref}s to what they name. */
    public static JsonNode resolve(JsonNode document, JsonNode node) {
        JsonNode current = node;
        for (int hops = 0; hops < 20 && current.has("$ref"); hops++) {
            current = document.at(current.get("$ref").asString().substring(1));
        }
        return current;
    }

    /** Sends a request without a body or credentials; answers whatever the server says. */
    private static HttpResponse<String> send(String baseUrl, String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A route's request predicate as a tree, read with Spring's visitor. */
    private sealed interface Condition {
        record Methods(Set<String> methods) implements Condition {}

        record Path(String pattern) implements Condition {}

        record All(List<Condition> conditions) implements Condition {}

        record Any(List<Condition> conditions) implements Condition {}
    }

    /** One way a predicate can match: a method set (null: any) and a path (null: any). */
    private record Alternative(Set<String> methods, String path) {}

    private static final class RouteWalker implements RouterFunctions.Visitor {

        private final Routes routes;

        /** The alternatives of the nested routers' predicates we are inside, innermost first. */
        private final Deque<List<Alternative>> nesting = new ArrayDeque<>();

        RouteWalker(Routes routes) {
            this.routes = routes;
        }

        @Override
        public void startNested(RequestPredicate predicate) {
            nesting.push(alternatives(read(predicate)));
        }

        @Override
        public void endNested(RequestPredicate predicate) {
            nesting.pop();
        }

        @Override
        public void route(RequestPredicate predicate, HandlerFunction<?> handlerFunction) {
            List<Alternative> alternatives = alternatives(read(predicate));
            for (List<Alternative> outer : nesting) {
                alternatives = combine(outer, alternatives, true);
            }
            for (Alternative alternative : alternatives) {
                if (alternative.methods() == null || alternative.path() == null) {
                    throw new IllegalStateException(
                            "the route " + predicate + " matches any method or any path; it cannot be described");
                }
                alternative
                        .methods()
                        .forEach(method -> routes.operations().add(new Operation(method, alternative.path())));
            }
        }

        @Override
        public void resources(Function<ServerRequest, Mono<Resource>> lookupFunction) {
            routes.resources().add(lookupFunction.toString());
        }

        @Override
        public void attributes(Map<String, Object> attributes) {}

        @Override
        public void unknown(RouterFunction<?> routerFunction) {
            throw new IllegalStateException("a router function this walker cannot read: " + routerFunction);
        }
    }

    private static Condition read(RequestPredicate predicate) {
        PredicateReader reader = new PredicateReader();
        predicate.accept(reader);
        return reader.result();
    }

    /** Builds the {@link Condition} tree from the visitor's calls (and/or arrive as start, left, right, end). */
    private static final class PredicateReader implements RequestPredicates.Visitor {

        private final Deque<List<Condition>> open = new ArrayDeque<>();

        PredicateReader() {
            open.push(new ArrayList<>());
        }

        Condition result() {
            List<Condition> top = open.peek();
            if (open.size() != 1 || top.size() != 1) {
                throw new IllegalStateException("unbalanced request predicate: " + top);
            }
            return top.get(0);
        }

        @Override
        public void method(Set<HttpMethod> methods) {
            Set<String> names = new TreeSet<>();
            methods.forEach(method -> names.add(method.name()));
            open.peek().add(new Condition.Methods(names));
        }

        @Override
        public void path(String pattern) {
            open.peek().add(new Condition.Path(pattern));
        }

        @Override
        public void startAnd() {
            open.push(new ArrayList<>());
        }

        @Override
        public void and() {}

        @Override
        public void endAnd() {
            List<Condition> all = open.pop();
            open.peek().add(new Condition.All(all));
        }

        @Override
        public void startOr() {
            open.push(new ArrayList<>());
        }

        @Override
        public void or() {}

        @Override
        public void endOr() {
            List<Condition> any = open.pop();
            open.peek().add(new Condition.Any(any));
        }

        @Override
        public void pathExtension(String extension) {
            throw unreadable("a path extension " + extension);
        }

        @Override
        public void header(String name, String value) {
            throw unreadable("a header condition " + name + "=" + value);
        }

        @Override
        public void queryParam(String name, String value) {
            throw unreadable("a query parameter condition " + name + "=" + value);
        }

        @Override
        public void version(String version) {
            throw unreadable("an API version condition " + version);
        }

        @Override
        public void startNegate() {
            throw unreadable("a negation");
        }

        @Override
        public void endNegate() {}

        @Override
        public void unknown(RequestPredicate predicate) {
            throw unreadable("the predicate " + predicate);
        }

        private static IllegalStateException unreadable(String what) {
            return new IllegalStateException("a route has " + what
                    + ", which OpenApiCoverage cannot map to an operation; teach it, and the description, about it");
        }
    }

    /** The predicate as alternatives (disjunctive normal form over method and path). */
    private static List<Alternative> alternatives(Condition condition) {
        if (condition instanceof Condition.Methods m) {
            return List.of(new Alternative(m.methods(), null));
        }
        if (condition instanceof Condition.Path p) {
            return List.of(new Alternative(null, p.pattern()));
        }
        if (condition instanceof Condition.Any any) {
            List<Alternative> all = new ArrayList<>();
            any.conditions().forEach(c -> all.addAll(alternatives(c)));
            return all;
        }
        List<Alternative> combined = List.of(new Alternative(null, null));
        for (Condition c : ((Condition.All) condition).conditions()) {
            combined = combine(combined, alternatives(c), false);
        }
        return combined;
    }

    /** Every pairing of {@code left} and {@code right}; {@code nested}: left's path is a prefix of right's. */
    private static List<Alternative> combine(List<Alternative> left, List<Alternative> right, boolean nested) {
        List<Alternative> out = new ArrayList<>();
        for (Alternative l : left) {
            for (Alternative r : right) {
                Set<String> methods;
                if (l.methods() == null || r.methods() == null) {
                    methods = l.methods() == null ? r.methods() : l.methods();
                } else {
                    methods = new TreeSet<>(l.methods());
                    methods.retainAll(r.methods());
                }
                String path;
                if (l.path() != null && r.path() != null) {
                    if (!nested) {
                        throw new IllegalStateException("a route requires two paths at once: " + l + " and " + r);
                    }
                    path = l.path() + r.path();
                } else {
                    path = l.path() == null ? r.path() : l.path();
                }
                if (methods == null || !methods.isEmpty()) {
                    out.add(new Alternative(methods, path));
                }
            }
        }
        return out;
    }
}
