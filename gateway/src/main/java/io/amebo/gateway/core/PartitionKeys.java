package io.amebo.gateway.core;

import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The record key of an event (DESIGN §3): the event's own {@code key}, else the value at the action's
 * {@code partition_key} JSON pointer in the payload, else none (the producer spreads keyless events).
 */
public final class PartitionKeys {

    private PartitionKeys() {}

    public static Optional<String> keyOf(String explicitKey, String partitionKeyPointer, JsonNode payload) {
        if (explicitKey != null) {
            return Optional.of(explicitKey);
        }
        if (partitionKeyPointer == null) {
            return Optional.empty();
        }
        JsonNode value = payload.at(partitionKeyPointer);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        return Optional.of(value.isString() ? value.asString() : value.toString());
    }
}
