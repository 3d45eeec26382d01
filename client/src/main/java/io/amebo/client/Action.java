package io.amebo.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * A registered action (event type).
 *
 * @param application the owner, the only application that publishes it
 * @param schemata the current version's JSON Schema
 * @param version the current schema version
 * @param versions every schema version with its registration time; empty in lists
 * @param topic the Kafka topic its events are appended to
 * @param retention how long its events are kept ({@code 7d}, {@code forever}, ...)
 * @param partitionKey the JSON pointer into the payload that keys events without a {@code key}, or null
 * @param compatibility {@code backward}, {@code forward}, {@code full} or {@code none}
 * @param subscribers the applications the owner allows to subscribe (and so to read its events); null when the
 *     action is open to every application (Amebo's {@code "open"})
 * @param subscriptionCount how many subscriptions it has
 */
public record Action(
        String action,
        String application,
        JsonNode schemata,
        int version,
        List<Version> versions,
        String topic,
        int partitions,
        String retention,
        @JsonProperty("partition_key") String partitionKey,
        String compatibility,
        String description,
        @JsonDeserialize(using = OpenOrList.class) List<String> subscribers,
        @JsonProperty("subscription_count") long subscriptionCount,
        Instant timestamped) {

    public Action {
        versions = versions == null ? List.of() : List.copyOf(versions);
    }

    /** One schema version and when it was registered. */
    public record Version(int version, Instant timestamped) {}

    /** True when any application may subscribe ({@code subscribers} is {@code "open"}). */
    public boolean openToAll() {
        return subscribers == null;
    }

    /** {@code subscribers}: the string {@code "open"} reads as null, a list as the list. */
    static final class OpenOrList extends ValueDeserializer<List<String>> {
        @Override
        public List<String> deserialize(JsonParser parser, DeserializationContext context) {
            JsonNode node = context.readTree(parser);
            if (!node.isArray()) {
                return null;
            }
            List<String> names = new ArrayList<>();
            node.forEach(name -> names.add(name.asString()));
            return List.copyOf(names);
        }
    }
}
