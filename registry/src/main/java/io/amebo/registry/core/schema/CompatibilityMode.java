package io.amebo.registry.core.schema;

import java.util.Optional;

/**
 * How a new version of an action's schema must relate to the previous one, with Confluent Schema Registry's meaning:
 * BACKWARD when every document valid under the previous version is valid under the new one (new consumers read old
 * data), FORWARD when every document valid under the new version is valid under the previous one (old consumers read
 * new data), FULL both, NONE no check.
 */
public enum CompatibilityMode {
    BACKWARD,
    FORWARD,
    FULL,
    NONE;

    /** Reads a mode as the API spells it, ignoring case: backward, forward, full or none. */
    public static Optional<CompatibilityMode> parse(String text) {
        // ASCII only, so that look-alike letters such as the Kelvin sign do not name a mode.
        if (text == null || !text.chars().allMatch(c -> c < 0x80)) {
            return Optional.empty();
        }
        for (CompatibilityMode mode : values()) {
            if (mode.name().equalsIgnoreCase(text)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
