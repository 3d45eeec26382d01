package io.amebo.dispatcher.delivery;

import io.amebo.contract.EventHeaders;
import io.amebo.contract.WebhookEnvelope;
import io.amebo.contract.WebhookHeaders;
import io.amebo.contract.WebhookSignatures;
import io.amebo.contract.registry.ApplicationState;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.core.DeliveryOutcome;
import io.amebo.platform.auth.SecretCipher;
import io.amebo.platform.view.RegistryView;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes one delivery attempt of one event to one subscription: the envelope, the Standard Webhooks and Amebo
 * headers signed with the subscriber's secrets (both during a rotation), within the subscription's rate limit and
 * through its circuit breaker. The breaker counts every failed attempt; while it is open nothing is sent and the
 * outcome is {@link DeliveryOutcome.Deferred}, as it is over the rate limit's horizon and while the subscribing
 * application is not in the registry view yet.
 */
public final class Deliverer {

    private static final Duration UNKNOWN_SUBSCRIBER_WAIT = Duration.ofSeconds(1);

    private final RegistryView view;
    private final SecretCipher cipher;
    private final WebhookSender sender;
    private final CircuitBreakerRegistry breakers;
    private final JsonMapper json;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Duration breakerWait;
    private final Duration rateLimitHorizon;
    private final Map<String, Limiter> rateLimiters = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Keys> signingKeys = new java.util.concurrent.ConcurrentHashMap<>();

    public Deliverer(
            RegistryView view,
            SecretCipher cipher,
            WebhookSender sender,
            CircuitBreakerRegistry breakers,
            JsonMapper json,
            Clock clock,
            MeterRegistry meters,
            Duration breakerWait,
            Duration rateLimitHorizon) {
        this.view = view;
        this.cipher = cipher;
        this.sender = sender;
        this.breakers = breakers;
        this.json = json;
        this.clock = clock;
        this.meters = meters;
        this.breakerWait = breakerWait;
        this.rateLimitHorizon = rateLimitHorizon;
    }

    /**
     * The delivery record's id: the same for every attempt of one event to one subscription, and different for a
     * later subscription of the same name (DESIGN §6.9). Subscriptions from before ids keep their name-based ids.
     */
    public static String gistId(SubscriptionState subscription, String eventId) {
        String owner = subscription.identity().isEmpty() ? subscription.subscription() : subscription.identity();
        return UUID.nameUUIDFromBytes((owner + "|" + eventId).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    public CircuitBreaker breaker(String subscription) {
        return breakers.circuitBreaker(subscription);
    }

    public Mono<DeliveryOutcome> deliver(SubscriptionState subscription, Event event, int attempt) {
        return deliver(subscription, event, attempt, false);
    }

    /**
     * An operator's explicit redelivery ({@code POST /v1/regists/{gist}}) is attempted now even while the breaker
     * is open; its outcome still counts towards the breaker.
     */
    public Mono<DeliveryOutcome> deliverNow(SubscriptionState subscription, Event event, int attempt) {
        return deliver(subscription, event, attempt, true);
    }

    private Mono<DeliveryOutcome> deliver(SubscriptionState subscription, Event event, int attempt, boolean now) {
        Optional<ApplicationState> subscriber = view.application(subscription.application());
        if (subscriber.isEmpty()) {
            // a subscription cannot outlive its application: this view has not seen the application yet
            return Mono.just(new DeliveryOutcome.Deferred(UNKNOWN_SUBSCRIBER_WAIT));
        }
        if (now) {
            return attempt(subscription, event, attempt, subscriber.get(), true);
        }
        long permitIn =
                rateLimiter(subscription).map(RateLimiter::reservePermission).orElse(0L);
        if (permitIn < 0) {
            return Mono.just(new DeliveryOutcome.Deferred(rateLimitHorizon));
        }
        if (permitIn == 0) {
            return attempt(subscription, event, attempt, subscriber.get(), false);
        }
        return Mono.delay(Duration.ofNanos(permitIn))
                .then(Mono.defer(() -> attempt(subscription, event, attempt, subscriber.get(), false)));
    }

    private Mono<DeliveryOutcome> attempt(
            SubscriptionState subscription, Event event, int attempt, ApplicationState app, boolean bypassBreaker) {
        CircuitBreaker breaker = breaker(subscription.subscription());
        if (!bypassBreaker && !breaker.tryAcquirePermission()) {
            return Mono.just(new DeliveryOutcome.Deferred(breakerWait));
        }
        byte[] body = envelope(subscription, event, attempt);
        Map<String, String> headers = headers(subscription, event, attempt, app, body);
        long started = System.nanoTime();
        AtomicBoolean settled = new AtomicBoolean();
        return sender.send(subscription.endpoint(app.address()), headers, body)
                .doOnNext(outcome -> {
                    settled.set(true);
                    record(breaker, subscription.subscription(), outcome, System.nanoTime() - started);
                })
                .doOnCancel(() -> {
                    // an attempt abandoned before its answer (its partition revoked, its worker stopping) gives its
                    // permit back: a half-open breaker whose one probe was abandoned would otherwise stay half-open
                    if (!bypassBreaker && settled.compareAndSet(false, true)) {
                        breaker.releasePermission();
                    }
                });
    }

    /**
     * The subscription's limiter, when it has a {@code rate_limit}: one permit every 1/rate seconds, so deliveries
     * are spread evenly rather than bunched at the start of each second. A permit is reserved ahead and waited for
     * on a timer (no thread is held), at most {@code rateLimitHorizon} ahead; beyond that the attempt is deferred.
     */
    private Optional<RateLimiter> rateLimiter(SubscriptionState subscription) {
        Integer rate = subscription.rateLimit();
        if (rate == null) {
            return Optional.empty();
        }
        Limiter limiter = rateLimiters.compute(
                subscription.subscription(),
                (name, existing) -> existing != null
                                && existing.rate() == rate
                                && existing.identity().equals(subscription.identity())
                        ? existing
                        : new Limiter(subscription.identity(), rate, RateLimiter.of(name, limiterConfig(rate))));
        return Optional.of(limiter.limiter());
    }

    private RateLimiterConfig limiterConfig(int perSecond) {
        return RateLimiterConfig.custom()
                .limitForPeriod(1)
                .limitRefreshPeriod(Duration.ofNanos(Math.max(1_000, 1_000_000_000L / perSecond)))
                .timeoutDuration(rateLimitHorizon)
                .build();
    }

    private record Limiter(String identity, int rate, RateLimiter limiter) {}

    private byte[] envelope(SubscriptionState subscription, Event event, int attempt) {
        WebhookEnvelope envelope = new WebhookEnvelope(
                event.id(),
                event.action(),
                event.application(),
                subscription.subscription(),
                new String(event.payload(), StandardCharsets.UTF_8),
                event.timestamped(),
                attempt,
                event.deduper());
        return json.writeValueAsBytes(envelope);
    }

    private Map<String, String> headers(
            SubscriptionState subscription, Event event, int attempt, ApplicationState app, byte[] body) {
        WebhookSignatures signatures = signaturesOf(app);
        long now = clock.instant().getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(WebhookHeaders.ID, event.id());
        headers.put(WebhookHeaders.TIMESTAMP, Long.toString(now));
        headers.put(WebhookHeaders.SIGNATURE, signatures.standard(event.id(), now, body));
        headers.put(WebhookHeaders.AMEBO_SIGNATURE, signatures.amebo(body));
        headers.put(WebhookHeaders.AMEBO_ACTION, event.action());
        headers.put(WebhookHeaders.AMEBO_SUBSCRIPTION, subscription.subscription());
        headers.put(WebhookHeaders.AMEBO_ATTEMPT, Integer.toString(attempt));
        headers.put(WebhookHeaders.AMEBO_DELIVERY, gistId(subscription, event.id()));
        String correlation = Event.header(event.headers(), EventHeaders.CORRELATION_ID);
        if (correlation != null) {
            headers.put(WebhookHeaders.REQUEST_ID, correlation); // the publish request's id, carried to the handler
        }
        return headers;
    }

    /** Signing keys of an application, opened once per set of usable secrets rather than on every delivery. */
    private record Keys(List<String> sealed, WebhookSignatures signatures) {}

    private WebhookSignatures signaturesOf(ApplicationState app) {
        List<String> usable = app.usableSecrets(clock.instant());
        Keys keys = signingKeys.get(app.application());
        if (keys == null || !keys.sealed().equals(usable)) {
            keys = new Keys(
                    usable,
                    WebhookSignatures.of(usable.stream()
                            .map(secret -> cipher.open(secret, app.application()))
                            .toList()));
            signingKeys.put(app.application(), keys);
        }
        return keys.signatures();
    }

    private void record(CircuitBreaker breaker, String subscription, DeliveryOutcome outcome, long nanos) {
        Timer.builder("amebo.delivery.latency")
                .tag("subscription", subscription)
                .publishPercentileHistogram()
                .register(meters)
                .record(nanos, TimeUnit.NANOSECONDS);
        if (outcome instanceof DeliveryOutcome.Delivered) {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        } else if (outcome instanceof DeliveryOutcome.Failed failed) {
            breaker.onError(nanos, TimeUnit.NANOSECONDS, new DeliveryFailure(failed.error()));
        } else {
            breaker.releasePermission();
        }
    }

    /** What the breaker is told about a failed attempt. */
    static final class DeliveryFailure extends RuntimeException {
        DeliveryFailure(String message) {
            super(message, null, false, false);
        }
    }
}
