package io.amebo.client;

import java.time.Instant;

/**
 * A replay's progress: the events appended in {@code [from, to)} delivered again to one subscription.
 *
 * @param replay its id, for {@link Subscriptions#getReplay(String, String)}
 * @param status {@code running}, {@code done} (every event of the window settled) or {@code failed}
 * @param total how many events the window holds; null until they were located
 * @param settled how many are done with: delivered, dead, or handed to the retry topics
 * @param delivered how many got a 2xx from the handler
 * @param retrying how many went to the retry topics
 * @param error why it failed, or null
 */
public record Replay(
        String replay,
        String subscription,
        Instant from,
        Instant to,
        String status,
        Long total,
        long settled,
        long delivered,
        long retrying,
        long dead,
        String error) {

    /** True once the replay stopped, done or failed. */
    public boolean finished() {
        return !"running".equals(status);
    }
}
