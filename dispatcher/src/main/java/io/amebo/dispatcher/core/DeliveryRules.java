package io.amebo.dispatcher.core;

import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * The one rule that maps an attempt's outcome to what happens next (DESIGN §5), used alike by live delivery, the
 * retry worker, replays and redeliveries:
 *
 * <pre>
 *   Delivered (2xx) ───────────────────────▶ Done
 *   Failed, attempt &lt; maxRetries ──────────▶ Retry at now + RetryPolicy delay, attempt + 1
 *   Failed, attempt ≥ maxRetries ──────────▶ DeadLetter
 *   Refused (address not allowed) ─────────▶ DeadLetter
 *   Deferred (breaker open, rate limit) ───▶ Wait, the same attempt, no attempt counted
 *   Gone (410) ────────────────────────────▶ Pause the subscription; the event waits for its resumption
 * </pre>
 */
public final class DeliveryRules {

    private DeliveryRules() {}

    public static Decision decide(
            DeliveryOutcome outcome,
            int attempt,
            int maxRetries,
            RetryPolicy policy,
            Instant now,
            RandomGenerator random) {
        if (outcome instanceof DeliveryOutcome.Delivered delivered) {
            return new Decision.Done(delivered.status(), delivered.responseExcerpt());
        }
        if (outcome instanceof DeliveryOutcome.Failed failed) {
            if (attempt < maxRetries) {
                return new Decision.Retry(now.plus(policy.delayAfter(attempt, failed, random)), attempt + 1, failed);
            }
            return new Decision.DeadLetter(attempt, failed.status(), failed.error(), failed.responseExcerpt());
        }
        if (outcome instanceof DeliveryOutcome.Refused refused) {
            return new Decision.DeadLetter(attempt, 0, refused.reason(), null);
        }
        if (outcome instanceof DeliveryOutcome.Deferred deferred) {
            return new Decision.Wait(deferred.retryIn());
        }
        DeliveryOutcome.Gone gone = (DeliveryOutcome.Gone) outcome;
        return new Decision.Pause("the handler answered 410 Gone", gone.responseExcerpt());
    }
}
