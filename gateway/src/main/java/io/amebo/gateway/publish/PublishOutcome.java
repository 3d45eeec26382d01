package io.amebo.gateway.publish;

import io.amebo.contract.Problem;
import java.time.Instant;

/** What became of one publish: mapped to HTTP in one place (the handler), for single and batch alike. */
public sealed interface PublishOutcome {

    /** Appended and acknowledged by the broker (201). */
    record Appended(String id, String action, Instant timestamped, int partition, long offset, String deduper)
            implements PublishOutcome {}

    /** An earlier publish with the same deduper appended this event; nothing new was appended (200). */
    record Duplicate(String id, String action, Instant timestamped, int partition, long offset, String deduper)
            implements PublishOutcome {}

    /** Refused; nothing was appended. */
    record Rejected(Problem problem) implements PublishOutcome {}
}
