package io.amebo.dispatcher.web;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import io.amebo.contract.EventId;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.core.DeliveryOutcome;
import io.amebo.dispatcher.delivery.DeliveryExecutor;
import io.amebo.dispatcher.delivery.Event;
import io.amebo.dispatcher.store.GistLog;
import io.amebo.dispatcher.store.GistLog.Gist;
import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.auth.Principal;
import io.amebo.platform.view.RegistryView;
import io.amebo.platform.web.JsonBodies;
import io.amebo.platform.web.ListPages;
import io.amebo.platform.web.ProblemException;
import io.amebo.platform.web.QueryParams;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.function.Tuples;

/**
 * The delivery log over HTTP (DESIGN §4.2): {@code GET /v1/gists}, {@code POST /v1/regists/{gist}} (redeliver one
 * now) and {@code POST /v1/subscriptions/{name}/redeliver} (re-queue the dead deliveries of a subscription). The
 * admin sees every delivery; an application, those of its own subscriptions.
 */
public final class GistRoutes {

    private static final Set<String> REDELIVER_FIELDS = Set.of("status");
    private static final int REDELIVER_LIMIT = 10_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final Authenticator authenticator;
    private final JsonBodies bodies;
    private final GistLog gists;
    private final RegistryView view;
    private final SubscriptionAccess access;
    private final DeliveryExecutor executor;
    private final Supplier<Consumer<String, byte[]>> readers;

    private GistRoutes(
            Authenticator authenticator,
            JsonBodies bodies,
            GistLog gists,
            RegistryView view,
            DeliveryExecutor executor,
            Supplier<Consumer<String, byte[]>> readers) {
        this.authenticator = authenticator;
        this.bodies = bodies;
        this.gists = gists;
        this.view = view;
        this.access = new SubscriptionAccess(view);
        this.executor = executor;
        this.readers = readers;
    }

    public static RouterFunction<ServerResponse> router(
            Authenticator authenticator,
            JsonBodies bodies,
            GistLog gists,
            RegistryView view,
            DeliveryExecutor executor,
            Supplier<Consumer<String, byte[]>> readers) {
        GistRoutes routes = new GistRoutes(authenticator, bodies, gists, view, executor, readers);
        return RouterFunctions.route()
                .route(GET("/v1/gists"), routes::list)
                .route(POST("/v1/regists/{gist}"), routes::redeliverOne)
                .route(POST("/v1/subscriptions/{name}/redeliver"), routes::redeliverMany)
                .build();
    }

    Mono<ServerResponse> list(ServerRequest request) {
        int page = QueryParams.number(request, "page", 1, 1_000_000, 1);
        int size = QueryParams.number(request, "pagination", 1, 100, 15);
        Optional<String> status =
                QueryParams.oneOf(request, "status", List.of("pending", "delivered", "failed", "dead"));
        return principal(request)
                .map(principal -> new GistLog.Query(
                        request.queryParam("subscription").orElse(null),
                        request.queryParam("subscription")
                                .flatMap(view::subscription)
                                .map(SubscriptionState::identity)
                                .orElse(null),
                        request.queryParam("action").orElse(null),
                        status.orElse(null),
                        QueryParams.time(request, "from").orElse(null),
                        QueryParams.time(request, "to").orElse(null),
                        principal.isAdmin() ? null : ownSubscriptions(principal)))
                .flatMapMany(query -> gists.list(query, (long) (page - 1) * size, ListPages.rowsToFetch(size)))
                .map(GistRoutes::view)
                .collectList()
                .flatMap(items -> ListPages.respond(request, page, size, items));
    }

    Mono<ServerResponse> redeliverOne(ServerRequest request) {
        // who asks first: a caller that is not signed in learns nothing, not even whether the delivery exists
        return principal(request)
                .flatMap(principal -> gists.find(gistId(request.pathVariable("gist")))
                        .switchIfEmpty(Mono.error(
                                () -> ProblemException.notFound("no delivery " + request.pathVariable("gist"))))
                        .map(gist -> Tuples.of(principal, gist)))
                .flatMap(t -> {
                    Gist gist = t.getT2();
                    SubscriptionState subscription =
                            access.owned(t.getT1(), gist.subscription(), "redeliver its events");
                    if (!gist.subscriptionId().isEmpty()
                            && !gist.subscriptionId().equals(subscription.identity())) {
                        // an earlier subscription's delivery: its name now belongs to another subscription
                        throw ProblemException.notFound("no delivery " + gist.id());
                    }
                    access.readableAction(subscription);
                    return event(gist.eventId())
                            .flatMap(event -> executor.redeliver(subscription, event))
                            .map(outcome -> answer(gist, outcome));
                })
                .flatMap(body -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(body));
    }

    Mono<ServerResponse> redeliverMany(ServerRequest request) {
        String name = request.pathVariable("name");
        return principal(request)
                .map(principal -> access.owned(principal, name, "redeliver its events"))
                .doOnNext(access::readableAction)
                .zipWhen(subscription -> bodies.object(request).map(body -> {
                    io.amebo.platform.web.FieldReader fields =
                            new io.amebo.platform.web.FieldReader(body, REDELIVER_FIELDS);
                    String status = fields.optionalString("status", 20).orElse("dead");
                    if (!status.equals("dead")) {
                        fields.reject("status", "only dead deliveries can be re-queued");
                    }
                    fields.validate("the redelivery");
                    return status;
                }))
                .flatMap(t -> gists.dead(ref(t.getT1()), REDELIVER_LIMIT)
                        .map(Gist::eventId)
                        .collectList()
                        .flatMapMany(this::events)
                        .concatMap(event -> executor.requeue(t.getT1(), event))
                        .count())
                .flatMap(n -> ServerResponse.status(HttpStatus.ACCEPTED)
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("subscription", name, "requeued", n)));
    }

    private static UUID gistId(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no delivery " + text);
        }
    }

    private Mono<Principal> principal(ServerRequest request) {
        return authenticator.authenticate(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
    }

    private List<GistLog.SubscriptionRef> ownSubscriptions(Principal principal) {
        return view.subscriptions().stream()
                .filter(s -> principal.mayActAs(s.application()))
                .map(GistRoutes::ref)
                .toList();
    }

    private static GistLog.SubscriptionRef ref(SubscriptionState subscription) {
        return new GistLog.SubscriptionRef(subscription.subscription(), subscription.identity());
    }

    /** Reads one event back from its topic, by the id its deliveries carry. */
    private Mono<Event> event(String eventId) {
        return events(List.of(eventId))
                .next()
                .switchIfEmpty(
                        Mono.error(() -> ProblemException.notFound("event " + eventId + " is no longer in Kafka")));
    }

    /**
     * Reads events back from their topics with one consumer for them all (a bulk redelivery of thousands of dead
     * deliveries opens one, not thousands); an event no longer in Kafka (past retention, or its action gone) is
     * left out.
     */
    private Flux<Event> events(List<String> eventIds) {
        return Mono.fromCallable(() -> readAll(eventIds))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMapMany(Flux::fromIterable);
    }

    private List<Event> readAll(List<String> eventIds) {
        List<Event> found = new java.util.ArrayList<>();
        try (Consumer<String, byte[]> consumer = readers.get()) {
            for (String eventId : eventIds) {
                read(consumer, eventId).ifPresent(found::add);
            }
        }
        return found;
    }

    private Optional<Event> read(Consumer<String, byte[]> consumer, String eventId) {
        EventId position = EventId.decode(eventId);
        Optional<String> topic = view.action(position.action()).map(a -> a.topic());
        if (topic.isEmpty()) {
            return Optional.empty();
        }
        TopicPartition partition = new TopicPartition(topic.get(), position.partition());
        consumer.assign(List.of(partition));
        consumer.seek(partition, position.offset());
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                return record.offset() == position.offset()
                        ? Optional.of(Event.fromEventRecord(position.action(), record))
                        : Optional.empty(); // the log starts past it now
            }
        }
        return Optional.empty();
    }

    private static Map<String, Object> answer(Gist gist, DeliveryOutcome outcome) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("gist", gist.id().toString());
        body.put("attempt", 1); // a redelivery starts a fresh attempt count
        body.put("delivered", outcome instanceof DeliveryOutcome.Delivered);
        if (outcome instanceof DeliveryOutcome.Delivered d) {
            body.put("status", d.status());
        } else if (outcome instanceof DeliveryOutcome.Failed f) {
            body.put("status", f.status());
            body.put("error", f.error());
        } else if (outcome instanceof DeliveryOutcome.Refused r) {
            body.put("error", r.reason());
        } else if (outcome instanceof DeliveryOutcome.Deferred) {
            body.put("error", "the subscription's circuit breaker is open; the delivery was re-queued");
        }
        return body;
    }

    static Map<String, Object> view(Gist gist) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("gist", gist.id().toString());
        body.put("subscription", gist.subscription());
        body.put("action", gist.action());
        body.put("event", gist.eventId());
        body.put("status", gist.status());
        body.put("completed", gist.status().equals("delivered"));
        body.put("attempts", gist.attempts());
        body.put("last_status", gist.lastStatus());
        body.put("last_error", gist.lastError());
        body.put("response_excerpt", gist.responseExcerpt());
        body.put("next_attempt_at", gist.nextAttemptAt());
        body.put("timestamped", gist.createdAt());
        body.put("updated", gist.updatedAt());
        return body;
    }
}
