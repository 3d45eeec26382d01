package io.amebo.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A URL query string, built up parameter by parameter; null values are left out, names may repeat. */
final class Query {

    private final List<String> parameters = new ArrayList<>();

    Query add(String name, Object value) {
        if (value != null) {
            String text = value instanceof Instant instant ? instant.toString() : value.toString();
            parameters.add(encode(name) + "=" + encode(text));
        }
        return this;
    }

    Query addAll(String name, List<String> values) {
        values.forEach(value -> add(name, value));
        return this;
    }

    Query copy() {
        Query copy = new Query();
        copy.parameters.addAll(parameters);
        return copy;
    }

    /** {@code ?a=1&b=2}, or the empty string for no parameters. */
    @Override
    public String toString() {
        return parameters.isEmpty() ? "" : "?" + String.join("&", parameters);
    }

    /** A path segment or query value, percent-encoded (spaces as {@code %20}, not {@code +}). */
    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
