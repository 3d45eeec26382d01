package io.amebo.client;

import java.util.Set;

/** After which failed answers a call may be sent again; the rule is stated in {@link AmeboClient}'s class comment. */
enum Idempotency {

    /** Reads, updates that set values, deletes, token requests, publishes whose every event has a deduper. */
    IDEMPOTENT(Set.of(429, 503)),
    /** Calls that create or trigger something: only after a 429, which Amebo answers before doing anything. */
    REFUSED_ONLY(Set.of(429)),
    /** Publishes without a deduper: a 503 may come after the event was appended, and a retry would append it twice. */
    NEVER(Set.of());

    private final Set<Integer> retriedStatuses;

    Idempotency(Set<Integer> retriedStatuses) {
        this.retriedStatuses = retriedStatuses;
    }

    boolean retries(int status) {
        return retriedStatuses.contains(status);
    }
}
