package io.amebo.client;

import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reading Amebo's JSON answers into records. Answers may grow members this client does not know, and leave out
 * the ones that are null, so unknown members are ignored and a missing number reads as 0. A 2xx answer that cannot
 * be read is not a usable answer: an {@link AmeboTransportException}.
 */
final class Json {

    private Json() {}

    /** The mapper for answers: the caller's (for its payload types and modules) or Jackson's defaults, made lenient. */
    static JsonMapper lenient(JsonMapper mapper) {
        JsonMapper.Builder builder = mapper == null ? JsonMapper.builder() : mapper.rebuild();
        return builder.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
    }

    static JsonNode tree(JsonMapper json, HttpTransport.Call call, HttpTransport.Reply reply) {
        try {
            return json.readTree(reply.body());
        } catch (JacksonException e) {
            throw unreadable(call, e);
        }
    }

    static <T> T read(JsonMapper json, HttpTransport.Call call, HttpTransport.Reply reply, Class<T> type) {
        try {
            return json.readValue(reply.body(), type);
        } catch (JacksonException e) {
            throw unreadable(call, e);
        }
    }

    static <T> T convert(JsonMapper json, HttpTransport.Call call, JsonNode node, Class<T> type) {
        try {
            return json.treeToValue(node, type);
        } catch (JacksonException e) {
            throw unreadable(call, e);
        }
    }

    static <T> List<T> list(JsonMapper json, HttpTransport.Call call, HttpTransport.Reply reply, Class<T> type) {
        try {
            return json.readValue(reply.body(), json.getTypeFactory().constructCollectionType(List.class, type));
        } catch (JacksonException e) {
            throw unreadable(call, e);
        }
    }

    private static AmeboTransportException unreadable(HttpTransport.Call call, JacksonException e) {
        return new AmeboTransportException(
                call.describe() + ": the answer could not be read (" + e.getMessage() + ")", e);
    }
}
