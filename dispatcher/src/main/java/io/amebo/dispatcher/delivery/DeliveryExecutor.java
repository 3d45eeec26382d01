package io.amebo.dispatcher.delivery;

import io.amebo.contract.KafkaNames;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.core.Decision;
import io.amebo.dispatcher.core.DeliveryOutcome;
import io.amebo.dispatcher.core.DeliveryRules;
import io.amebo.dispatcher.core.RetryPolicy;
import io.amebo.dispatcher.core.RetryTiers;
import io.amebo.dispatcher.store.GistJournal;
import io.amebo.dispatcher.store.GistLog.Gist;
import io.amebo.platform.filter.EventFilter;
import io.amebo.platform.view.RegistryView;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * Carries an event through its attempts until it is settled: each attempt's outcome goes through the one rule,
 * {@link DeliveryRules#decide}, and the decision is carried out here, the same way for live delivery, the retry
 * worker, replays and redeliveries. They differ only in their {@link Mode}: which waits they sit out in memory and
 * which they park on the retry topics.
 *
 * <pre>
 *   due? ──no──▶ wait (in memory) or park (retry topic) ──▶ PARKED
 *    │yes
 *   attempt ─▶ decide ─┬─ Done ───────────────────────────────▶ DELIVERED   (gist delivered)
 *                      ├─ Retry ──▶ due? (above) ──────────────▶ …          (gist failed, next attempt at)
 *                      ├─ DeadLetter ──▶ amebo.dead ───────────▶ DEAD        (gist dead)
 *                      ├─ Wait ──▶ in memory, or park ─────────▶ …          (no attempt counted)
 *                      └─ Pause ──▶ pause in the registry ──▶ Wait          (gist pending, 410)
 * </pre>
 *
 * The returned {@code Mono} completes when the event may be committed away: delivered, dead with its dead letter
 * acknowledged by the broker, or parked with its retry record acknowledged, or its subscription gone; and each
 * outcome's gist is in the gist journal before that. It never errors: a write to Kafka that fails is tried again
 * with bounded backoff, keeping its attempt count. Cancelling it (a revoked partition, a stopping worker) abandons
 * the event to whoever consumes it next.
 */
public final class DeliveryExecutor {

    private static final Logger log = LoggerFactory.getLogger(DeliveryExecutor.class);
    private static final Duration FOREVER = Duration.ofDays(365 * 100);
    private static final Duration UNEXPECTED_FAILURE_WAIT = Duration.ofSeconds(1);
    private static final Duration PAUSE_BACKOFF = Duration.ofMillis(500);
    private static final Set<String> CARRIER_HEADERS = Set.of(
            Event.EVENT_ID,
            Event.EVENT_TIME,
            Event.SUBSCRIPTION,
            Event.SUBSCRIPTION_ID,
            Event.ATTEMPT,
            Event.DUE,
            Event.HOP_AT,
            Event.LAST_STATUS,
            Event.LAST_ERROR);

    /**
     * How a worker carries out decisions.
     *
     * @param inMemoryBelow a retry, delayed first delivery or wait due sooner than this is sat out in memory, a later
     *     one is parked on a retry topic: the shortest retry tier, except for ordered delivery (every wait, since it
     *     cannot let an event leave its key's queue) and an operator's redelivery (none)
     * @param waitsInPlaceUpTo how long a wait that counts no attempt (breaker open, paused subscription) may be sat
     *     out in memory; a longer one is parked on a retry topic
     */
    public record Mode(String name, Duration inMemoryBelow, Duration waitsInPlaceUpTo) {

        /** Live delivery of an unordered subscription: its records wait safely uncommitted in their topic. */
        public static final Mode LIVE = new Mode("live", RetryTiers.SHORTEST, FOREVER);

        /** Live delivery and replays of an ordered subscription: every wait holds the event's key. */
        public static final Mode ORDERED = new Mode("ordered", FOREVER, FOREVER);

        /** The shared retry worker: anything longer than its shortest tier goes back on a tier. */
        public static final Mode RETRY = new Mode("retry", RetryTiers.SHORTEST, RetryTiers.SHORTEST);

        /** A replay: sits out a breaker, but a paused subscription's events are parked for after it resumes. */
        public static final Mode REPLAY = new Mode("replay", RetryTiers.SHORTEST, Duration.ofSeconds(30));

        /**
         * An operator's redelivery: one attempt now; whatever follows (its retries, a wait) is parked, so the
         * operator's answer waits for that one attempt only.
         */
        public static final Mode REDELIVERY = new Mode("redelivery", Duration.ZERO, Duration.ZERO);
    }

    /** How an event left the executor. */
    public enum Settled {
        DELIVERED,
        DEAD,
        PARKED,
        /** Its subscription was deleted or replaced: its deliveries go with it. */
        DROPPED
    }

    /** Port: pauses a subscription in the registry, with the reason shown to its owner. */
    @FunctionalInterface
    public interface SubscriptionPauser {
        Mono<Void> pause(String subscription, String reason);
    }

    private final Deliverer deliverer;
    private final PatientProducer producer;
    private final KafkaNames names;
    private final RetryPolicy retries;
    private final GistJournal gists;
    private final SubscriptionPauser pauser;
    private final RegistryView view;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Duration pausedRetryWait;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Parsed filters by subscription identity. */
    private final Map<String, CompiledFilter> filters = new ConcurrentHashMap<>();

    public DeliveryExecutor(
            Deliverer deliverer,
            PatientProducer producer,
            KafkaNames names,
            RetryPolicy retries,
            GistJournal gists,
            SubscriptionPauser pauser,
            RegistryView view,
            Clock clock,
            MeterRegistry meters,
            Duration pausedRetryWait) {
        this.deliverer = deliverer;
        this.producer = producer;
        this.names = names;
        this.retries = retries;
        this.gists = gists;
        this.pauser = pauser;
        this.view = view;
        this.clock = clock;
        this.meters = meters;
        this.pausedRetryWait = pausedRetryWait;
    }

    /** Delivers {@code event} as attempt {@code attempt}, due at {@code due}, until it is settled. */
    public Mono<Settled> deliver(SubscriptionState subscription, Event event, int attempt, Instant due, Mode mode) {
        if (attempt == 1 && due.isAfter(clock.instant())) { // a delayed first delivery
            return gists.append(gist(subscription, event, "pending", 0, null, null, null, due))
                    .then(Mono.defer(() -> at(subscription, event, attempt, due, mode)));
        }
        return at(subscription, event, attempt, due, mode);
    }

    /** Goes on with an event taken back from a retry topic: attempt {@code attempt}, due at {@code due}. */
    public Mono<Settled> resume(SubscriptionState subscription, Event event, int attempt, Instant due, Mode mode) {
        return at(subscription, event, attempt, due, mode);
    }

    /**
     * An operator's redelivery ({@code POST /v1/regists/{gist}}): attempted now even while the breaker is open, as
     * attempt 1 of a fresh count (like a bulk {@link #requeue}), and what follows is carried out like any other
     * attempt's: a failure is retried up to the subscription's {@code max_retries} attempts. Emits the attempt's
     * outcome once it is carried out.
     */
    public Mono<DeliveryOutcome> redeliver(SubscriptionState subscription, Event event) {
        return deliverer
                .deliverNow(subscription, event, 1)
                .flatMap(outcome -> execute(subscription, event, 1, outcome, Mode.REDELIVERY)
                        .thenReturn(outcome));
    }

    /**
     * Puts an event back on the retry topics due now, with a fresh attempt count (its next attempt is attempt 1): a
     * bulk re-queue of dead ones. Its gist then says so (pending, no attempts yet, due now), so it no longer shows
     * as dead and is not re-queued twice. The gist is stamped before the retry record is written, so the outcome of
     * the attempt that follows is always the later record; it is journaled after the retry record is acknowledged,
     * so a dispatcher that dies in between leaves the gist dead rather than pending with nothing to deliver it.
     */
    public Mono<Settled> requeue(SubscriptionState subscription, Event event) {
        Instant due = clock.instant();
        Gist requeued = gist(subscription, event, "pending", 0, null, null, null, due);
        return park(subscription, event, 1, due)
                .flatMap(parked -> gists.append(requeued).thenReturn(parked));
    }

    /** Pauses a subscription in the registry, with the reason its owner will see. */
    public Mono<Void> pause(String subscription, String reason) {
        return pauser.pause(subscription, reason);
    }

    /**
     * Whether the subscription's filter lets the event through; one it holds back is counted
     * ({@code amebo_deliveries_filtered_total}) and is never delivered nor gisted. Never fails: a payload that is not
     * JSON is tested as if it held nothing.
     */
    public boolean passesFilter(SubscriptionState subscription, Event event) {
        if (subscription.filter() == null) {
            return true;
        }
        EventFilter filter = filters.compute(
                        subscription.identity(),
                        (id, known) -> known != null && known.document().equals(subscription.filter())
                                ? known
                                : compile(subscription))
                .filter();
        if (filter == null) {
            return true;
        }
        JsonNode payload;
        try {
            payload = JSON.readTree(event.payload());
        } catch (JacksonException e) {
            payload = MissingNode.getInstance();
        }
        boolean passes = filter.matches(new EventFilter.Subject(
                event.action(), event.application(), event.deduper(), event.key(), event.timestamped(), payload));
        if (!passes) {
            count("amebo.deliveries.filtered", subscription);
        }
        return passes;
    }

    /** A subscription's filter document and its parsed form, kept while the document stays the same. */
    private record CompiledFilter(JsonNode document, EventFilter filter) {}

    /**
     * The registry checks every filter it takes, so one that does not parse here came from elsewhere (a newer
     * registry, a hand-written changelog record): its events are delivered unfiltered, since a subscriber can ignore
     * an event it did not want but cannot get back one that was held back.
     */
    private static CompiledFilter compile(SubscriptionState subscription) {
        try {
            return new CompiledFilter(subscription.filter(), EventFilter.parse(subscription.filter(), "/filter"));
        } catch (EventFilter.InvalidFilterException e) {
            log.error(
                    "subscription {} has a filter this dispatcher cannot read ({}); its events go unfiltered",
                    subscription.subscription(),
                    e.getMessage());
            return new CompiledFilter(subscription.filter(), null);
        }
    }

    /** Creates a subscription's delivery counters at zero, so dashboards and alerts see them before any delivery. */
    public void registerMeters(String subscription) {
        for (String meter : new String[] {
            "amebo.deliveries.delivered",
            "amebo.deliveries.failed",
            "amebo.deliveries.dead",
            "amebo.deliveries.filtered"
        }) {
            meters.counter(meter, "subscription", subscription);
        }
    }

    /** Attempts now if due; otherwise waits in memory when the mode and the wait allow it, or parks. */
    private Mono<Settled> at(SubscriptionState subscription, Event event, int attempt, Instant due, Mode mode) {
        Duration left = Duration.between(clock.instant(), due);
        if (left.isNegative() || left.isZero()) {
            return attempt(subscription, event, attempt, mode);
        }
        if (left.compareTo(mode.inMemoryBelow()) < 0) {
            return Mono.delay(left).then(Mono.defer(() -> attempt(subscription, event, attempt, mode)));
        }
        return park(subscription, event, attempt, due);
    }

    private Mono<Settled> attempt(SubscriptionState known, Event event, int attempt, Mode mode) {
        Optional<SubscriptionState> current = current(known);
        if (current.isEmpty()) {
            return Mono.just(Settled.DROPPED);
        }
        SubscriptionState subscription = current.get();
        if (!subscription.isActive()) {
            return waitFor(subscription, event, attempt, pausedRetryWait, mode);
        }
        return deliverer
                .deliver(subscription, event, attempt)
                .flatMap(outcome -> execute(subscription, event, attempt, outcome, mode))
                .onErrorResume(failure -> {
                    log.warn(
                            "Delivering {} to {} failed unexpectedly; trying again in {}",
                            event.id(),
                            subscription.subscription(),
                            UNEXPECTED_FAILURE_WAIT,
                            failure);
                    return Mono.delay(UNEXPECTED_FAILURE_WAIT)
                            .then(Mono.defer(() -> attempt(subscription, event, attempt, mode)));
                });
    }

    private Mono<Settled> execute(
            SubscriptionState subscription, Event event, int attempt, DeliveryOutcome outcome, Mode mode) {
        Decision decision = DeliveryRules.decide(
                outcome, attempt, subscription.maxRetries(), retries, clock.instant(), ThreadLocalRandom.current());
        if (decision instanceof Decision.Done done) {
            return onDelivered(subscription, event, attempt, done);
        }
        if (decision instanceof Decision.Retry retry) {
            return onFailure(subscription, event, attempt, retry, mode);
        }
        if (decision instanceof Decision.DeadLetter dead) {
            return onDead(subscription, event, dead);
        }
        if (decision instanceof Decision.Wait wait) {
            return waitFor(subscription, event, attempt, wait.duration(), mode);
        }
        return onGone(subscription, event, attempt, (Decision.Pause) decision, mode);
    }

    private Mono<Settled> onDelivered(SubscriptionState subscription, Event event, int attempt, Decision.Done done) {
        count("amebo.deliveries.delivered", subscription);
        return gists.append(gist(
                        subscription, event, "delivered", attempt, done.status(), null, done.responseExcerpt(), null))
                .thenReturn(Settled.DELIVERED);
    }

    private Mono<Settled> onFailure(
            SubscriptionState subscription, Event event, int attempt, Decision.Retry retry, Mode mode) {
        count("amebo.deliveries.failed", subscription);
        DeliveryOutcome.Failed failed = retry.failure();
        return gists.append(gist(
                        subscription,
                        event,
                        "failed",
                        attempt,
                        failed.status(),
                        failed.error(),
                        failed.responseExcerpt(),
                        retry.due()))
                .then(Mono.defer(() -> at(subscription, event, retry.nextAttempt(), retry.due(), mode)));
    }

    private Mono<Settled> onDead(SubscriptionState subscription, Event event, Decision.DeadLetter dead) {
        count("amebo.deliveries.dead", subscription);
        log.warn(
                "Delivery of {} to {} is dead after {} attempt(s): {}",
                event.id(),
                subscription.subscription(),
                dead.attempts(),
                dead.error());
        Gist gist = gist(
                subscription,
                event,
                "dead",
                dead.attempts(),
                dead.lastStatus(),
                dead.error(),
                dead.responseExcerpt(),
                null);
        RecordHeaders headers = carried(event, subscription);
        put(headers, Event.ATTEMPT, Integer.toString(dead.attempts()));
        put(headers, Event.LAST_STATUS, Integer.toString(dead.lastStatus()));
        put(headers, Event.LAST_ERROR, dead.error() == null ? "" : dead.error());
        return producer.send(new ProducerRecord<>(
                        names.deadLetterTopic(), null, null, subscription.subscription(), event.payload(), headers))
                .then(gists.append(gist))
                .thenReturn(Settled.DEAD);
    }

    private Mono<Settled> onGone(
            SubscriptionState subscription, Event event, int attempt, Decision.Pause pause, Mode mode) {
        Gist pending =
                gist(subscription, event, "pending", attempt, 410, pause.reason(), pause.responseExcerpt(), null);
        return gists.append(pending)
                .then(pauser.pause(subscription.subscription(), pause.reason())
                        .retryWhen(Retry.backoff(3, PAUSE_BACKOFF)))
                .onErrorResume(failure -> {
                    log.warn(
                            "Could not pause subscription {} after its handler answered 410: {}",
                            subscription.subscription(),
                            failure.toString());
                    return Mono.empty();
                })
                .then(Mono.defer(() -> waitFor(subscription, event, attempt, pausedRetryWait, mode)));
    }

    /** The same attempt again after {@code wait}: in memory when the mode allows a wait that long, else parked. */
    private Mono<Settled> waitFor(SubscriptionState subscription, Event event, int attempt, Duration wait, Mode mode) {
        if (wait.compareTo(mode.waitsInPlaceUpTo()) <= 0 || wait.compareTo(mode.inMemoryBelow()) < 0) {
            return Mono.delay(wait).then(Mono.defer(() -> attempt(subscription, event, attempt, mode)));
        }
        return park(subscription, event, attempt, clock.instant().plus(wait));
    }

    /**
     * Writes the event to the retry tier of its next hop ({@link RetryTiers}): readable exactly one tier after now,
     * or at {@code due} when that is sooner than the shortest tier. Settled once the broker acknowledged it.
     */
    private Mono<Settled> park(SubscriptionState subscription, Event event, int attempt, Instant due) {
        Instant now = clock.instant();
        Duration left = Duration.between(now, due);
        Optional<Duration> hop = RetryTiers.hopFor(left);
        Instant hopAt = hop.map(now::plus).orElse(due.isBefore(now) ? now : due);
        RecordHeaders headers = carried(event, subscription);
        put(headers, Event.ATTEMPT, Integer.toString(attempt));
        put(headers, Event.DUE, Long.toString(due.toEpochMilli()));
        put(headers, Event.HOP_AT, Long.toString(hopAt.toEpochMilli()));
        String topic = names.retryTopic(hop.orElse(RetryTiers.SHORTEST));
        return producer.send(new ProducerRecord<>(topic, null, null, event.key(), event.payload(), headers))
                .thenReturn(Settled.PARKED);
    }

    /** The subscription as it is now, if it still exists and is still the same subscription. */
    private Optional<SubscriptionState> current(SubscriptionState known) {
        return view.subscription(known.subscription()).filter(now -> sameSubscription(known, now));
    }

    /** The same subscription, not a later one of the same name; records from before ids match by name only. */
    public static boolean sameSubscription(SubscriptionState a, SubscriptionState b) {
        return a.subscription().equals(b.subscription())
                && (a.identity().isEmpty()
                        || b.identity().isEmpty()
                        || a.identity().equals(b.identity()));
    }

    /** The original's headers (without an earlier carrier's), plus its id and time and the subscription's. */
    private static RecordHeaders carried(Event event, SubscriptionState subscription) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : event.headers()) {
            if (!CARRIER_HEADERS.contains(header.key())) {
                headers.add(header);
            }
        }
        put(headers, Event.EVENT_ID, event.id());
        put(headers, Event.EVENT_TIME, Long.toString(event.timestamped().toEpochMilli()));
        put(headers, Event.SUBSCRIPTION, subscription.subscription());
        put(headers, Event.SUBSCRIPTION_ID, subscription.identity());
        return headers;
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
                UUID.fromString(Deliverer.gistId(subscription, event.id())),
                subscription.subscription(),
                subscription.identity(),
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

    private void count(String meter, SubscriptionState subscription) {
        meters.counter(meter, "subscription", subscription.subscription()).increment();
    }
}
