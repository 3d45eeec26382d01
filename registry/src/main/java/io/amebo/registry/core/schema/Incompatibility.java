package io.amebo.registry.core.schema;

import java.util.Objects;

/**
 * One reason a new schema version cannot replace the previous one.
 *
 * @param pointer an RFC 6901 JSON pointer to where the difference lies in the shape of the data, spelled with the new
 *     schema's keywords: {@code ""} for the document itself, {@code /properties/email}, {@code /items/properties/sku}
 * @param message one plain English sentence, such as {@code property 'plan' became required}
 */
public record Incompatibility(String pointer, String message) {

    public Incompatibility {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(message, "message");
    }
}
