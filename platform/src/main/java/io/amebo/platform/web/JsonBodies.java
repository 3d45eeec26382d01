package io.amebo.platform.web;

import io.amebo.contract.Problem.FieldError;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads JSON request bodies strictly: {@code application/json} (any {@code +json} suffix, no charset but UTF-8) or
 * 415; well-formed UTF-8 JSON (RFC 8259 §8.1: no UTF-16 or UTF-32) with no member given twice, or 400 saying where
 * it broke; a body larger than the codec limit is a 413 (see {@link ProblemRendering}).
 */
public final class JsonBodies {

    private final ObjectReader json;

    public JsonBodies(JsonMapper json) {
        // a member given twice is refused rather than the last one silently winning over what a reader saw first
        this.json = json.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
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
        if (notUtf8(body)) {
            throw ProblemException.badRequest("the request body must be UTF-8 JSON (this looks like UTF-16 or UTF-32)");
        }
        try {
            JsonNode node = json.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ProblemException.badRequest("the request body is empty");
            }
            return node;
        } catch (StreamReadException e) {
            String message = "the request body is not valid JSON: " + e.getOriginalMessage();
            if (e.getOriginalMessage().startsWith("Duplicate ") && e.processor() != null) {
                // name the member given twice, where it is
                String pointer =
                        e.processor().streamReadContext().pathAsPointer().toString();
                throw ProblemException.badRequest(message, List.of(new FieldError(pointer, "is given twice")));
            }
            throw ProblemException.badRequest(message);
        } catch (JacksonException e) {
            throw ProblemException.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * JSON text starts with an ASCII character, so a NUL among its first two bytes (or a UTF-16 byte order mark)
     * means UTF-16 or UTF-32, which Jackson would otherwise detect and accept.
     */
    private static boolean notUtf8(byte[] body) {
        return body.length >= 2
                && (body[0] == 0
                        || body[1] == 0
                        || (body[0] & 0xFF) == 0xFE && (body[1] & 0xFF) == 0xFF
                        || (body[0] & 0xFF) == 0xFF && (body[1] & 0xFF) == 0xFE);
    }

    private static JsonNode requireObject(JsonNode node) {
        if (!node.isObject()) {
            throw ProblemException.badRequest("the request body must be a JSON object");
        }
        return node;
    }

    private static void requireJson(ServerRequest request) {
        MediaType type;
        try {
            type = request.headers().contentType().orElse(null);
        } catch (InvalidMediaTypeException e) {
            throw ProblemException.unsupportedMediaType(
                    "the Content-Type header is not a media type: " + e.getMediaType());
        }
        if (type == null) {
            throw ProblemException.unsupportedMediaType("send the body as application/json (Content-Type is missing)");
        }
        boolean json = type.isCompatibleWith(MediaType.APPLICATION_JSON)
                || "json".equals(type.getSubtypeSuffix()) && "application".equals(type.getType());
        if (!json) {
            throw ProblemException.unsupportedMediaType(
                    "send the body as application/json, not " + type.getType() + "/" + type.getSubtype());
        }
        Charset charset;
        try {
            charset = type.getCharset(); // unquoted, any alias
        } catch (IllegalArgumentException e) {
            throw ProblemException.unsupportedMediaType(
                    "send the body as UTF-8 JSON; " + type.getParameter("charset") + " is no charset known here");
        }
        if (charset != null && !StandardCharsets.UTF_8.equals(charset)) {
            throw ProblemException.unsupportedMediaType(
                    "send the body as UTF-8 JSON, not " + charset.name() + " (RFC 8259 §8.1)");
        }
    }
}
