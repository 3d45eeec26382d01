package io.amebo.platform.web;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads JSON request bodies strictly: {@code application/json} (any parameters, any {@code +json} suffix) or 415;
 * well-formed UTF-8 JSON or 400 saying where it broke; a body larger than the codec limit is a 413 (see
 * {@link ProblemRendering}).
 */
public final class JsonBodies {

    private final JsonMapper json;

    public JsonBodies(JsonMapper json) {
        this.json = json;
    }

    /** The body as a JSON object. */
    public Mono<JsonNode> object(ServerRequest request) {
        return tree(request).map(JsonBodies::requireObject);
    }

    /** The body as any JSON value. */
    public Mono<JsonNode> tree(ServerRequest request) {
        return Mono.defer(() -> {
            requireJson(request);
            return request.bodyToMono(byte[].class)
                    .switchIfEmpty(Mono.error(() -> ProblemException.badRequest("the request body is empty")))
                    .map(this::parse);
        });
    }

    public JsonNode parse(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ProblemException.badRequest("the request body is empty");
            }
            return node;
        } catch (JacksonException e) {
            throw ProblemException.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static JsonNode requireObject(JsonNode node) {
        if (!node.isObject()) {
            throw ProblemException.badRequest("the request body must be a JSON object");
        }
        return node;
    }

    private static void requireJson(ServerRequest request) {
        MediaType type = request.headers().contentType().orElse(null);
        if (type == null) {
            throw ProblemException.unsupportedMediaType("send the body as application/json (Content-Type is missing)");
        }
        boolean json = type.isCompatibleWith(MediaType.APPLICATION_JSON)
                || "json".equals(type.getSubtypeSuffix()) && "application".equals(type.getType());
        if (!json) {
            throw ProblemException.unsupportedMediaType(
                    "send the body as application/json, not " + type.getType() + "/" + type.getSubtype());
        }
    }
}
