package io.amebo.client;

import java.util.Objects;

/**
 * One event of a batch ({@link AmeboClient#publishBatch}). A batch is one request, so its request id is given to
 * {@code publishBatch}, not to its events.
 *
 * @param payload as for {@link AmeboClient#publishEvent(String, Object)}
 */
public record BatchEvent(String action, Object payload, PublishOptions options) {

    public BatchEvent {
        Objects.requireNonNull(action, "action");
        options = options == null ? PublishOptions.NONE : options;
        if (options.requestId() != null) {
            throw new IllegalArgumentException("a batch has one request id: pass it to publishBatch");
        }
    }

    public static BatchEvent of(String action, Object payload) {
        return new BatchEvent(action, payload, PublishOptions.NONE);
    }

    public static BatchEvent of(String action, Object payload, PublishOptions options) {
        return new BatchEvent(action, payload, options);
    }
}
