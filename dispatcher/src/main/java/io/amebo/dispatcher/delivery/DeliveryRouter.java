package io.amebo.dispatcher.delivery;

import io.amebo.contract.KafkaNames;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.core.DeliveryOutcome;
import io.amebo.dispatcher.core.RetryPolicy;
import io.amebo.dispatcher.core.RetryTiers;
import io.amebo.dispatcher.store.GistLog;
import io.amebo.dispatcher.store.GistLog.Gist;
import io.amebo.platform.kafka.Sends;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Decides what an attempt's outcome means for the event, in one place (DESIGN §5):
 *
 * <pre>
 *   Delivered ─────────────────────────────▶ done                 (gist: delivered)
 *   Failed, attempts left ─▶ retry topic ──▶ done                 (gist: failed, next attempt at)
 *   Failed, last attempt ──▶ amebo.dead ──▶ done                  (gist: dead)
 *   Refused ───────────────▶ amebo.dead ──▶ done                  (gist: dead)
 *   Deferred (breaker open) ───────────────▶ hold: the caller waits and tries again, no attempt counted
 *   Gone (410) ────────────────────────────▶ hold: the subscription is paused; the event stays uncommitted
 * </pre>
 *
 * "Done" means the record's offset may be committed: the event was delivered, or a durable record of what is left
 * to do (a retry record, a dead letter) was acknowledged by the broker first.
 */
public final class DeliveryRouter {

    /** What the caller does with the record after the outcome was handled. */
    public enum Disposition {
        DONE,
        HOLD
    }

    private static final Set<String> CARRIER_HEADERS = Set.of(
            Event.EVENT_ID,
            Event.EVENT_TIME,
            Event.SUBSCRIPTION,
            Event.ATTEMPT,
            Event.DUE,
            Event.LAST_STATUS,
            Event.LAST_ERROR);

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DeliveryRouter.class);

    private final Producer<String, byte[]> producer;
    private final KafkaNames names;
    private final RetryPolicy retries;
    private final GistLog gists;
    private final SubscriptionPauser pauser;
    private final Clock clock;
    private final MeterRegistry meters;

    public DeliveryRouter(
            Producer<String, byte[]> producer,
            KafkaNames names,
            RetryPolicy retries,
            GistLog gists,
            SubscriptionPauser pauser,
            Clock clock,
            MeterRegistry meters) {
        this.producer = producer;
        this.names = names;
        this.retries = retries;
        this.gists = gists;
        this.pauser = pauser;
        this.clock = clock;
        this.meters = meters;
    }

    /** Port: pauses a subscription in the registry, with the reason shown to its owner. */
    @FunctionalInterface
    public interface SubscriptionPauser {
        Mono<Void> pause(String subscription, String reason);
    }

    public Mono<Disposition> route(SubscriptionState subscription, Event event, int attempt, DeliveryOutcome outcome) {
        String name = subscription.subscription();
        if (outcome instanceof DeliveryOutcome.Delivered delivered) {
            count("amebo.deliveries.delivered", name);
            gists.record(gist(subscription, event, "delivered", attempt, delivered.status(), null, null, null));
            return Mono.just(Disposition.DONE);
        }
        if (outcome instanceof DeliveryOutcome.Failed failed) {
            count("amebo.deliveries.failed", name);
            if (attempt < subscription.maxRetries()) {
                Duration delay = retries.delayAfter(attempt, failed, ThreadLocalRandom.current());
                Instant due = clock.instant().plus(delay);
                gists.record(gist(
                        subscription,
                        event,
                        "failed",
                        attempt,
                        failed.status(),
                        failed.error(),
                        failed.responseExcerpt(),
                        due));
                return retry(subscription, event, attempt + 1, due, delay, failed.status(), failed.error());
            }
            return dead(subscription, event, attempt, failed.status(), failed.error(), failed.responseExcerpt());
        }
        if (outcome instanceof DeliveryOutcome.Refused refused) {
            return dead(subscription, event, attempt, 0, refused.reason(), null);
        }
        if (outcome instanceof DeliveryOutcome.Gone gone) {
            gists.record(gist(
                    subscription,
                    event,
                    "pending",
                    attempt,
                    410,
                    "the handler answered 410 Gone",
                    gone.responseExcerpt(),
                    null));
            return pauser.pause(name, "the handler answered 410 Gone").thenReturn(Disposition.HOLD);
        }
        return Mono.just(Disposition.HOLD); // Deferred
    }

    /**
     * For ordered subscriptions, which retry in place to keep each key's order: the delay before the next attempt,
     * and the failed attempt in the delivery log.
     */
    public Duration retryInPlace(
            SubscriptionState subscription, Event event, int attempt, DeliveryOutcome.Failed failed) {
        count("amebo.deliveries.failed", subscription.subscription());
        Duration delay = retries.delayAfter(attempt, failed, ThreadLocalRandom.current());
        gists.record(gist(
                subscription,
                event,
                "failed",
                attempt,
                failed.status(),
                failed.error(),
                failed.responseExcerpt(),
                clock.instant().plus(delay)));
        return delay;
    }

    /** Creates a subscription's delivery counters at zero, so dashboards and alerts see them before any delivery. */
    public void registerMeters(String subscription) {
        for (String meter :
                new String[] {"amebo.deliveries.delivered", "amebo.deliveries.failed", "amebo.deliveries.dead"}) {
            meters.counter(meter, "subscription", subscription);
        }
    }

    /** Pauses a subscription in the registry, with the reason its owner will see. */
    public Mono<Void> pause(String subscription, String reason) {
        return pauser.pause(subscription, reason);
    }

    /** An event whose first delivery must wait ({@code sleep_until}): parked on a retry tier, no attempt counted. */
    public Mono<Disposition> delay(SubscriptionState subscription, Event event, Instant due) {
        gists.record(gist(subscription, event, "pending", 0, null, null, null, due));
        return retry(subscription, event, 1, due, Duration.between(clock.instant(), due), null, null);
    }

    /** Puts an attempt back on a retry tier without counting it (breaker open, subscription paused). */
    public Mono<Disposition> postpone(SubscriptionState subscription, Event event, int attempt, Duration wait) {
        return retry(subscription, event, attempt, clock.instant().plus(wait), wait, null, null);
    }

    private Mono<Disposition> retry(
            SubscriptionState subscription,
            Event event,
            int nextAttempt,
            Instant due,
            Duration delay,
            Integer lastStatus,
            String lastError) {
        RecordHeaders headers = carried(event);
        put(headers, Event.SUBSCRIPTION, subscription.subscription());
        put(headers, Event.ATTEMPT, Integer.toString(nextAttempt));
        put(headers, Event.DUE, Long.toString(due.toEpochMilli()));
        if (lastStatus != null) {
            put(headers, Event.LAST_STATUS, Integer.toString(lastStatus));
        }
        if (lastError != null) {
            put(headers, Event.LAST_ERROR, lastError);
        }
        String topic = names.retryTopic(RetryTiers.tierFor(delay));
        return send(new ProducerRecord<>(topic, null, null, event.key(), event.payload(), headers))
                .thenReturn(Disposition.DONE);
    }

    private Mono<Disposition> dead(
            SubscriptionState subscription, Event event, int attempts, int lastStatus, String error, String excerpt) {
        count("amebo.deliveries.dead", subscription.subscription());
        log.warn(
                "Delivery of {} to {} is dead after {} attempt(s): {}",
                event.id(),
                subscription.subscription(),
                attempts,
                error);
        gists.record(gist(subscription, event, "dead", attempts, lastStatus, error, excerpt, null));
        RecordHeaders headers = carried(event);
        put(headers, Event.SUBSCRIPTION, subscription.subscription());
        put(headers, Event.ATTEMPT, Integer.toString(attempts));
        put(headers, Event.LAST_STATUS, Integer.toString(lastStatus));
        put(headers, Event.LAST_ERROR, error == null ? "" : error);
        return send(new ProducerRecord<>(
                        names.deadLetterTopic(), null, null, subscription.subscription(), event.payload(), headers))
                .thenReturn(Disposition.DONE);
    }

    /** The original's headers (without an earlier carrier's), plus its id and time. */
    private static RecordHeaders carried(Event event) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : event.headers()) {
            if (!CARRIER_HEADERS.contains(header.key())) {
                headers.add(header);
            }
        }
        put(headers, Event.EVENT_ID, event.id());
        put(headers, Event.EVENT_TIME, Long.toString(event.timestamped().toEpochMilli()));
        return headers;
    }

    /** Off the event loop: send() may block for metadata or buffer space, and retries are not the hot path. */
    private Mono<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return Mono.fromFuture(() -> Sends.acked(producer, record)).subscribeOn(Schedulers.boundedElastic());
    }

    private Gist gist(
            SubscriptionState subscription,
            Event event,
            String status,
            int attempts,
            Integer lastStatus,
            String lastError,
            String excerpt,
            Instant next) {
        Instant now = clock.instant();
        return new Gist(
                UUID.fromString(Deliverer.gistId(subscription.subscription(), event.id())),
                subscription.subscription(),
                event.action(),
                event.id(),
                status,
                attempts,
                lastStatus,
                lastError,
                excerpt,
                next,
                now,
                now);
    }

    private static void put(RecordHeaders headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private void count(String meter, String subscription) {
        meters.counter(meter, "subscription", subscription).increment();
    }
}
