package io.amebo.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * An event as Amebo serves it, read back from Kafka. Jackson writes it back with the same member names.
 *
 * @param id the event's id, the same as the {@code webhook-id} of its deliveries
 * @param application the application that published it
 * @param payload the payload as it was published
 * @param deduper the publisher's deduplication key, or null
 * @param key the Kafka record key, or null
 * @param timestamped when it was appended (the broker's clock)
 * @param schemaVersion the version of the action's schema it was validated against
 * @param sleepUntil the first delivery's not-before time, or null
 */
public record Event(
        String id,
        String action,
        String application,
        JsonNode payload,
        String deduper,
        String key,
        Instant timestamped,
        int partition,
        long offset,
        @JsonProperty("schema_version") Integer schemaVersion,
        @JsonProperty("sleep_until") Instant sleepUntil) {}
