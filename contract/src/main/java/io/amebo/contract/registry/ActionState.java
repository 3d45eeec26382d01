package io.amebo.contract.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * An action as the registry changelog carries it: its owner, topic and current schema version.
 *
 * @param retention the topic's retention as ISO-8601 duration, or {@code forever}
 * @param partitionKey a JSON pointer into the payload whose value keys the record, or null
 */
public record ActionState(
        String action,
        String application,
        String topic,
        int version,
        JsonNode schemata,
        int partitions,
        String retention,
        @JsonProperty("partition_key") String partitionKey,
        String compatibility,
        String description,
        Instant timestamped) {}
