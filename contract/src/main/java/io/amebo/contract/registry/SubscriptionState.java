package io.amebo.contract.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * A subscription as the registry changelog carries it. {@code handler} is kept as registered: an absolute URL, or
 * a path that is resolved against the subscribing application's current address when it is delivered to.
 *
 * @param status {@code active} or {@code paused}
 * @param id the subscription's identity: a UUID minted when it is created and never reused, so that a new
 *     subscription with a deleted one's name is a different subscription (DESIGN §6.9); null only on changelog
 *     records written before subscriptions had ids
 * @param backfillFrom where in the log a new subscription starts when that is before its creation (events appended
 *     from then on are its to deliver), or null to start at its creation time
 * @param filter which events it receives (a filter document, see the platform's {@code EventFilter}), or null for
 *     every event of its action
 */
public record SubscriptionState(
        String subscription,
        String application,
        String action,
        String handler,
        @JsonProperty("max_retries") int maxRetries,
        boolean ordered,
        @JsonProperty("rate_limit") Integer rateLimit,
        String description,
        String status,
        @JsonProperty("paused_reason") String pausedReason,
        Instant timestamped,
        String id,
        JsonNode filter,
        @JsonProperty("backfill_from") Instant backfillFrom) {

    public SubscriptionState {
        // a changelog record read back holds JSON null as a node: no filter all the same
        filter = filter == null || filter.isNull() || filter.isMissingNode() ? null : filter;
    }

    public static final String ACTIVE = "active";
    public static final String PAUSED = "paused";

    /** The identity that deliveries, retries, gists and replays are keyed by; empty for a record without an id. */
    public String identity() {
        return id == null ? "" : id;
    }

    /** The same subscription, filtered by {@code filter} (null: every event). */
    public SubscriptionState withFilter(JsonNode filter) {
        return new SubscriptionState(
                subscription,
                application,
                action,
                handler,
                maxRetries,
                ordered,
                rateLimit,
                description,
                status,
                pausedReason,
                timestamped,
                id,
                filter,
                backfillFrom);
    }

    /**
     * From when the log is this subscription's to deliver: its {@code backfill_from}, else its creation time (DESIGN
     * §5: a new subscription starts with the first event appended after it was made).
     */
    public Instant startsAt() {
        return backfillFrom != null ? backfillFrom : timestamped;
    }

    public boolean isActive() {
        return ACTIVE.equals(status);
    }

    /** The URL to deliver to, given the subscribing application's current address. */
    public String endpoint(String applicationAddress) {
        return resolve(handler, applicationAddress);
    }

    /** An absolute handler stays as it is; a path is appended to the address (which keeps its own path). */
    public static String resolve(String handler, String address) {
        if (URI.create(handler).isAbsolute()) {
            return handler;
        }
        String base = address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
        return base + (handler.startsWith("/") ? handler : "/" + handler);
    }
}
