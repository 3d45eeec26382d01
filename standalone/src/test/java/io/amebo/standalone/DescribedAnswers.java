package io.amebo.standalone;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Checks real requests and answers against the OpenAPI description the product serves: the status must be described
 * for the operation, the media type among the response's, a JSON body valid under the response's schema (networknt,
 * draft 2020-12 as OpenAPI 3.1 says, {@code format} asserted), the headers Amebo sends valid and described. Objects
 * are checked closed: a member the description does not name is a finding, so the description cannot fall behind the
 * handlers without this failing.
 */
final class DescribedAnswers {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String BASE = "https://amebo.test/openapi.json";
    /** The response headers Amebo's handlers set; each must be described where it is sent. */
    private static final Set<String> AMEBO_HEADERS =
            Set.of("location", "link", "retry-after", "x-next-cursor", "x-request-id");

    private final ObjectNode document;
    private final SchemaRegistry schemas;
    /** "where" (an operation's response or request body, by media type) → the name its schema is registered under. */
    private final Map<String, String> names = new HashMap<>();

    private int registered;

    DescribedAnswers(JsonNode served) {
        this.document = (ObjectNode) served.deepCopy();
        ObjectNode components = (ObjectNode) document.path("components").path("schemas");
        register(components);
        closeObjects(components);
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .formatAssertionsEnabled(true)
                .pathType(PathType.JSON_POINTER)
                .build();
        this.schemas = SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(config)
                        .schemas(Map.of(BASE, JSON.writeValueAsString(document)))
                        .schemaLoader(loader -> loader.fetchRemoteResources(false)));
    }

    /** Every way an answer to {@code method pathTemplate} disagrees with the description. */
    List<String> answer(String method, String pathTemplate, HttpResponse<String> answer) {
        String where = method + " " + pathTemplate + " " + answer.statusCode();
        JsonNode operation = document.path("paths").path(pathTemplate).path(method.toLowerCase(Locale.ROOT));
        if (operation.isMissingNode()) {
            return List.of(method + " " + pathTemplate + " is not described");
        }
        String status = describedStatus(operation, answer.statusCode());
        if (status == null) {
            return List.of(where + ": the status is not described for the operation");
        }
        JsonNode response = resolve(operation.path("responses").get(status));
        List<String> problems = new ArrayList<>();
        checkHeaders(where, response, answer, problems);
        String contentType = answer.headers().firstValue("Content-Type").orElse(null);
        if (!response.has("content")) {
            if (!answer.body().isEmpty()) {
                problems.add(where + ": a body where the description has none: " + answer.body());
            }
            return problems;
        }
        String mediaType =
                contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!response.path("content").has(mediaType)) {
            problems.add(where + ": media type " + contentType + " is not among "
                    + response.path("content").propertyNames());
            return problems;
        }
        if (isJson(mediaType)) {
            String name =
                    names.get(method.toLowerCase(Locale.ROOT) + " " + pathTemplate + " " + status + " " + mediaType);
            problems.addAll(validate(where, name, answer.body()));
        }
        return problems;
    }

    /** Every way a request body that {@code method pathTemplate} accepts disagrees with its described schema. */
    List<String> request(String method, String pathTemplate, String mediaType, String body) {
        if (!isJson(mediaType)) {
            return List.of(); // NDJSON: described as text, one object a line
        }
        String where = method + " " + pathTemplate + " request";
        String name = names.get("request " + method.toLowerCase(Locale.ROOT) + " " + pathTemplate + " " + mediaType);
        return name == null ? List.of(where + ": no " + mediaType + " body is described") : validate(where, name, body);
    }

    /** Every way a delivery to a handler disagrees with the webhook's description. */
    List<String> webhook(String webhook, Map<String, String> headers, String body) {
        String where = "webhook " + webhook;
        JsonNode operation = document.path("webhooks").path(webhook).path("post");
        List<String> problems = new ArrayList<>();
        for (JsonNode described : operation.path("parameters")) {
            JsonNode parameter = resolve(described);
            String name = parameter.path("name").asString();
            String value = headers.get(name.toLowerCase(Locale.ROOT));
            if (value == null) {
                if (parameter.path("required").asBoolean(false)) {
                    problems.add(where + ": the header " + name + " is missing");
                }
                continue;
            }
            problems.addAll(validateValue(where + " header " + name, parameter.path("schema"), value));
        }
        String name = names.get("request post webhook:" + webhook + " application/json");
        problems.addAll(validate(where, name, body));
        return problems;
    }

    /** The key describing a status: the code itself, else its class ({@code 4XX}), else {@code default}; or null. */
    private static String describedStatus(JsonNode operation, int status) {
        JsonNode responses = operation.path("responses");
        for (String key : List.of(Integer.toString(status), status / 100 + "XX", "default")) {
            if (responses.has(key)) {
                return key;
            }
        }
        return null;
    }

    private void checkHeaders(String where, JsonNode response, HttpResponse<String> answer, List<String> problems) {
        Map<String, JsonNode> described = new HashMap<>();
        for (Map.Entry<String, JsonNode> header : response.path("headers").properties()) {
            described.put(header.getKey().toLowerCase(Locale.ROOT), resolve(header.getValue()));
        }
        for (Map.Entry<String, List<String>> header : answer.headers().map().entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            JsonNode description = described.get(name);
            if (description == null) {
                if (AMEBO_HEADERS.contains(name)) {
                    problems.add(where + ": the header " + header.getKey() + " is sent but not described");
                }
                continue;
            }
            for (String value : header.getValue()) {
                problems.addAll(validateValue(where + " header " + header.getKey(), description.path("schema"), value));
            }
        }
        described.forEach((name, description) -> {
            if (description.path("required").asBoolean(false)
                    && answer.headers().firstValue(name).isEmpty()) {
                problems.add(where + ": the required header " + name + " is missing");
            }
        });
    }

    /** A header value against its schema: a number where the schema wants one, else the text. */
    private List<String> validateValue(String where, JsonNode schema, String value) {
        JsonNode resolved = resolve(schema);
        JsonNode instance = resolved.path("type").asString("").equals("integer") && value.matches("-?\\d{1,18}")
                ? JSON.getNodeFactory().numberNode(Long.parseLong(value))
                : StringNode.valueOf(value);
        // every header and parameter schema is a $ref by now (see registerOperation)
        Schema compiled =
                schemas.getSchema(SchemaLocation.of(BASE + schema.path("$ref").asString()));
        return messages(where + " (" + value + ")", compiled.validate(instance));
    }

    private List<String> validate(String where, String name, String body) {
        if (name == null) {
            return List.of(where + ": no schema is described for the body");
        }
        JsonNode instance;
        try {
            instance = JSON.readTree(body);
        } catch (RuntimeException e) {
            return List.of(where + ": the body is not JSON: " + body);
        }
        Schema schema = schemas.getSchema(SchemaLocation.of(BASE + "#/components/schemas/" + name));
        return messages(where, schema.validate(instance));
    }

    private static List<String> messages(String where, List<Error> errors) {
        return errors.stream()
                .map(e -> where + ": " + e.getInstanceLocation() + " " + e.getMessage())
                .toList();
    }

    private static boolean isJson(String mediaType) {
        return mediaType.equals("application/json") || mediaType.endsWith("+json");
    }

    /** Follows local {@code $ref}s (responses, headers, parameters) to what they name. */
    private JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        for (int hops = 0; hops < 20 && current.has("$ref"); hops++) {
            current = document.at(current.get("$ref").asString().substring(1));
        }
        return current;
    }

    /**
     * Registers every schema the checks need under a name of its own in {@code components/schemas} (their places in
     * {@code paths} hold braces, which a schema IRI's fragment cannot carry as they are), and inline header schemas
     * alike.
     */
    private void register(ObjectNode components) {
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                registerOperation(components, operation.getKey(), path.getKey(), operation.getValue());
            }
        }
        for (Map.Entry<String, JsonNode> webhook : document.path("webhooks").properties()) {
            for (Map.Entry<String, JsonNode> operation : webhook.getValue().properties()) {
                registerOperation(components, operation.getKey(), "webhook:" + webhook.getKey(), operation.getValue());
            }
        }
    }

    private void registerOperation(ObjectNode components, String method, String path, JsonNode operation) {
        if (!operation.isObject() || !operation.has("responses")) {
            return;
        }
        for (Map.Entry<String, JsonNode> response : operation.path("responses").properties()) {
            JsonNode resolved = resolve(response.getValue());
            for (Map.Entry<String, JsonNode> content : resolved.path("content").properties()) {
                names.put(
                        method + " " + path + " " + response.getKey() + " " + content.getKey(),
                        copy(components, content.getValue().path("schema")));
            }
            for (Map.Entry<String, JsonNode> header : resolved.path("headers").properties()) {
                referToCopy(components, resolve(header.getValue()).path("schema"));
            }
        }
        for (Map.Entry<String, JsonNode> content :
                resolve(operation.path("requestBody")).path("content").properties()) {
            names.put(
                    "request " + method + " " + path + " " + content.getKey(),
                    copy(components, content.getValue().path("schema")));
        }
        for (JsonNode parameter : operation.path("parameters")) {
            referToCopy(components, resolve(parameter).path("schema"));
        }
    }

    /** Puts a copy of {@code schema} into {@code components} under a new name; answers the name. */
    private String copy(ObjectNode components, JsonNode schema) {
        String name = "__checked" + registered++;
        components.set(name, schema.deepCopy());
        return name;
    }

    /** Turns an inline header or parameter schema into a {@code $ref} to a copy of it, so it can be validated alone. */
    private void referToCopy(ObjectNode components, JsonNode schema) {
        if (schema instanceof ObjectNode inline && !inline.has("$ref")) {
            String name = copy(components, inline);
            inline.removeAll();
            inline.put("$ref", "#/components/schemas/" + name);
        }
    }

    /**
     * Closes every object schema that names its members and says nothing about others: a member the description
     * does not name is then a finding. ({@code unevaluatedProperties}, so members named in {@code allOf} parts count.)
     */
    private static void closeObjects(JsonNode node) {
        if (node instanceof ObjectNode object) {
            boolean objectType = object.path("type").asString("").equals("object")
                    || object.path("type").isArray()
                            && object.path("type").toString().contains("\"object\"");
            if (objectType
                    && object.has("properties")
                    && !object.has("additionalProperties")
                    && !object.has("unevaluatedProperties")) {
                object.put("unevaluatedProperties", false);
            }
            object.properties().forEach(member -> closeObjects(member.getValue()));
        } else if (node.isArray()) {
            node.forEach(DescribedAnswers::closeObjects);
        }
    }
}
