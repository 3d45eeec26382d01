package io.amebo.contract.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * An action as the registry changelog carries it: its owner, topic and current schema version.
 *
 * @param retention the topic's retention as ISO-8601 duration, or {@code forever}
 * @param partitionKey a JSON pointer into the payload whose value keys the record, or null
 * @param subscribers the applications the owner allows to subscribe (and so to read its events), or null when any
 *     application may ({@code "open"}, the default)
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
        Instant timestamped,
        List<String> subscribers) {

    public ActionState {
        subscribers = subscribers == null ? null : List.copyOf(subscribers);
    }

    /** Whether {@code application} may subscribe to this action: its owner always, others as {@code subscribers} say. */
    public boolean allowsSubscriber(String application) {
        return subscribers == null || application.equals(this.application) || subscribers.contains(application);
    }
}
