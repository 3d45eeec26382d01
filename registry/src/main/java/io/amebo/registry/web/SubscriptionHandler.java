package io.amebo.registry.web;

import static io.amebo.contract.registry.RegistryKeys.Kind.SUBSCRIPTION;

import io.amebo.contract.Names;
import io.amebo.contract.Problem.FieldError;
import io.amebo.contract.registry.ActionState;
import io.amebo.contract.registry.ApplicationState;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.platform.auth.Principal;
import io.amebo.platform.filter.EventFilter;
import io.amebo.platform.filter.FilterSchemaCheck;
import io.amebo.platform.web.FieldReader;
import io.amebo.platform.web.ListPages;
import io.amebo.platform.web.ProblemException;
import io.amebo.platform.web.QueryParams;
import io.amebo.registry.core.AddressRules;
import io.amebo.registry.core.PageRequest;
import io.amebo.registry.core.Retention;
import io.amebo.registry.store.RegistryRepository.Filter;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** {@code /v1/subscriptions}: subscribe, list, get, pause / resume / change, delete. */
final class SubscriptionHandler {

    private static final Set<String> CREATE_FIELDS = Set.of(
            "application",
            "subscription",
            "action",
            "handler",
            "max_retries",
            "filter",
            "ordered",
            "rate_limit",
            "description",
            "backfill_from");
    private static final Set<String> UPDATE_FIELDS = Set.of(
            "handler",
            "max_retries",
            "ordered",
            "rate_limit",
            "description",
            "status",
            "paused_reason",
            "filter",
            "backfill_from");
    private static final List<String> STATUSES = List.of(SubscriptionState.ACTIVE, SubscriptionState.PAUSED);

    private final Requests requests;
    private final RegistryRoutes.Dependencies d;

    SubscriptionHandler(Requests requests, RegistryRoutes.Dependencies d) {
        this.requests = requests;
        this.d = d;
    }

    Mono<ServerResponse> create(ServerRequest request) {
        return requests.principal(request)
                .flatMap(principal -> d.bodies().object(request).map(body -> readNew(principal, body)))
                .flatMap(this::checkReferences)
                .flatMap(this::checkHoldings)
                .flatMap(this::insert)
                .flatMap(view -> ServerResponse.created(URI.create("/v1/subscriptions/" + view.get("subscription")))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(view));
    }

    private SubscriptionState readNew(Principal principal, JsonNode body) {
        FieldReader fields = new FieldReader(body, CREATE_FIELDS);
        String application =
                fields.check("application", fields.requiredString("application", 100), Names::checkApplication);
        String name =
                fields.check("subscription", fields.requiredString("subscription", 100), Names::checkSubscription);
        String action = fields.check("action", fields.requiredString("action", 200), Names::checkAction);
        String handler =
                fields.check("handler", fields.requiredString("handler", 2048), SubscriptionHandler::checkHandler);
        int maxRetries = fields.optionalInt("max_retries", 1, 10_000).orElse(d.defaultMaxRetries());
        boolean ordered = fields.optionalBoolean("ordered").orElse(false);
        Integer rateLimit = fields.optionalInt("rate_limit", 1, 1_000_000).orElse(null);
        String description = fields.optionalString("description", 2000).orElse(null);
        Instant backfillFrom = fields.optionalTime("backfill_from")
                .map(SubscriptionHandler::toMillis)
                .orElse(null);
        fields.validate("the subscription");
        JsonNode filter = filter(body);
        if (!principal.mayActAs(application)) {
            throw ProblemException.forbidden("an application may only subscribe itself");
        }
        return new SubscriptionState(
                name,
                application,
                action,
                handler,
                maxRetries,
                ordered,
                rateLimit,
                description,
                SubscriptionState.ACTIVE,
                null,
                d.clock().instant(),
                // the subscription's identity (DESIGN §6.9): new on every creation, kept by every change
                UUID.randomUUID().toString(),
                filter,
                backfillFrom);
    }

    /** To the millisecond: Kafka's timestamps go no finer, and PostgreSQL keeps no nanoseconds. */
    private static Instant toMillis(Instant time) {
        return time.truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * A new subscription may start before its creation ({@code backfill_from}), but not in the future and not before
     * the oldest events its action's topic keeps (its retention): those may be gone, and a start that silently skips
     * them would promise what the log cannot give.
     */
    private void checkBackfill(SubscriptionState s, ActionState action) {
        if (s.backfillFrom() == null) {
            return;
        }
        Instant now = d.clock().instant();
        if (s.backfillFrom().isAfter(now)) {
            throw invalid("/backfill_from", "is in the future; leave it out to start now");
        }
        Retention.parse(action.retention())
                .retention()
                .flatMap(Retention::duration)
                .ifPresent(kept -> {
                    if (s.backfillFrom().isBefore(now.minus(kept))) {
                        throw invalid(
                                "/backfill_from",
                                "is before the oldest events " + action.action() + " keeps (its retention is " + kept
                                        + "); a subscription can start at most that far back");
                    }
                });
    }

    /**
     * The body's {@code filter}, checked as a filter (422 naming every problem), or null when there is none. Whether
     * the action's payloads can match it is checked once the action is known ({@link #checkFilter}).
     */
    private static JsonNode filter(JsonNode body) {
        JsonNode filter = body.get("filter");
        if (filter == null || filter.isNull()) {
            return null;
        }
        try {
            EventFilter.parse(filter, FieldReader.pointer("filter"));
        } catch (EventFilter.InvalidFilterException e) {
            throw ProblemException.unprocessable("the filter is not one: " + e.getMessage(), e.errors());
        }
        return filter;
    }

    /** A filter must be able to match some valid payload of the action's current schema (422 naming the path). */
    private static void checkFilter(SubscriptionState s, ActionState action) {
        if (s.filter() == null) {
            return;
        }
        List<FieldError> errors = FilterSchemaCheck.check(
                EventFilter.parse(s.filter(), FieldReader.pointer("filter")), action.schemata());
        if (!errors.isEmpty()) {
            throw ProblemException.unprocessable(
                    "the filter can never match an event of " + action.action() + " (schema version " + action.version()
                            + "): " + errors.get(0).pointer() + " "
                            + errors.get(0).message(),
                    errors);
        }
    }

    private Mono<SubscriptionState> checkReferences(SubscriptionState s) {
        Mono<ApplicationState> subscriber = d.repository()
                .findApplication(s.application())
                .switchIfEmpty(Mono.error(() -> invalid("/application", "names no registered application")));
        return subscriber
                .flatMap(app -> d.repository()
                        .findAction(s.action())
                        .switchIfEmpty(Mono.error(() -> invalid("/action", "names no registered action")))
                        .doOnNext(action -> {
                            requireAllowed(action, s.application());
                            checkFilter(s, action);
                            checkBackfill(s, action);
                        })
                        .thenReturn(app))
                .map(app -> {
                    checkEndpoint(s.endpoint(app.address()));
                    return s;
                });
    }

    /** One application cannot hold more than its share of subscriptions (each is a consumer in every dispatcher). */
    private Mono<SubscriptionState> checkHoldings(SubscriptionState s) {
        return d.repository().subscriptionCount(s.application()).map(held -> {
            if (held >= d.maxSubscriptionsPerApplication()) {
                throw ProblemException.conflict("application " + s.application() + " holds " + held
                        + " subscriptions, the most one application may hold");
            }
            return s;
        });
    }

    /** The action's owner decides who may subscribe, and so read its events (DESIGN §4.1). */
    private static void requireAllowed(ActionState action, String application) {
        if (!action.allowsSubscriber(application)) {
            throw ProblemException.forbidden(
                    "the owner of " + action.action() + " does not allow " + application + " to subscribe to it");
        }
    }

    private void checkEndpoint(String endpoint) {
        AddressRules.checkLiteralHost(endpoint, d.allowPrivateAddresses()).ifPresent(problem -> {
            throw invalid("/handler", problem);
        });
    }

    private Mono<Map<String, Object>> insert(SubscriptionState s) {
        return d.transactions()
                .transactional(d.repository()
                        .insertSubscription(s)
                        .then(d.repository().enqueue(SUBSCRIPTION.key(s.subscription()))))
                .onErrorMap(
                        DataIntegrityViolationException.class,
                        e -> ProblemException.conflict("a subscription named " + s.subscription() + " exists"))
                .doOnSuccess(v -> d.relay().wakeUp())
                .then(view(s));
    }

    Mono<ServerResponse> list(ServerRequest request) {
        PageRequest page = Requests.page(request);
        return requests.principal(request)
                .flatMapMany(principal -> d.repository()
                        .listSubscriptions(
                                List.of(
                                        Filter.contains(
                                                "application",
                                                request.queryParam("application")
                                                        .orElse(null)),
                                        Filter.contains(
                                                "action",
                                                request.queryParam("action").orElse(null)),
                                        Filter.equal(
                                                "status",
                                                QueryParams.oneOf(request, "status", STATUSES)
                                                        .orElse(null)),
                                        // an application sees its own subscriptions; the admin sees all
                                        Filter.equal(
                                                "application",
                                                principal instanceof Principal.Application a ? a.name() : null),
                                        Filter.atLeast(
                                                "created_at",
                                                Requests.time(request, "from").orElse(null)),
                                        Filter.before(
                                                "created_at",
                                                Requests.time(request, "to").orElse(null))),
                                page.offset(),
                                ListPages.rowsToFetch(page.size())))
                .concatMap(this::view)
                .collectList()
                .flatMap(items -> ListPages.respond(request, page.page(), page.size(), items));
    }

    Mono<ServerResponse> get(ServerRequest request) {
        String name = request.pathVariable("name");
        return requests.principal(request)
                .zipWhen(principal -> found(name))
                .flatMap(t -> {
                    Requests.requireActingAs(t.getT1(), t.getT2().application(), "read its own subscriptions");
                    return view(t.getT2());
                })
                .flatMap(body -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(body));
    }

    Mono<ServerResponse> update(ServerRequest request) {
        String name = request.pathVariable("name");
        return requests.principal(request)
                .zipWhen(principal -> found(name))
                .flatMap(t -> {
                    Requests.requireActingAs(t.getT1(), t.getT2().application(), "change its own subscriptions");
                    return d.bodies().object(request).map(body -> changed(t.getT2(), body, t.getT1()));
                })
                .flatMap(s -> d.repository().findApplication(s.application()).map(app -> {
                    checkEndpoint(s.endpoint(app.address()));
                    return s;
                }))
                .flatMap(s -> d.repository()
                        .findAction(s.action())
                        .doOnNext(action -> {
                            if (s.isActive()) {
                                requireAllowed(action, s.application());
                            }
                            if (s.filterChanged()) {
                                checkFilter(s.after(), action);
                            }
                        })
                        .thenReturn(s.after()))
                .flatMap(this::save)
                .flatMap(body -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(body));
    }

    /** Stores the change on the subscription that was read (by id): 404 if it was deleted meanwhile. */
    private Mono<Map<String, Object>> save(SubscriptionState s) {
        return d.transactions()
                .transactional(d.repository()
                        .updateSubscription(s, d.clock().instant())
                        .filter(rows -> rows > 0)
                        .switchIfEmpty(Mono.error(
                                () -> ProblemException.notFound("no subscription named " + s.subscription())))
                        .then(d.repository().enqueue(SUBSCRIPTION.key(s.subscription()))))
                .doOnSuccess(v -> d.relay().wakeUp())
                .then(view(s));
    }

    /** A subscription as changed by a PATCH, and whether its filter is new (only a new one is checked again). */
    private record Change(SubscriptionState after, boolean filterChanged) {
        String application() {
            return after.application();
        }

        String endpoint(String address) {
            return after.endpoint(address);
        }

        String action() {
            return after.action();
        }

        boolean isActive() {
            return after.isActive();
        }
    }

    private Change changed(SubscriptionState s, JsonNode body, Principal principal) {
        FieldReader fields = new FieldReader(body, UPDATE_FIELDS);
        String handler = fields.check(
                "handler", fields.optionalString("handler", 2048).orElse(null), SubscriptionHandler::checkHandler);
        Optional<Integer> maxRetries = fields.optionalInt("max_retries", 1, 10_000);
        Optional<Boolean> ordered = fields.optionalBoolean("ordered");
        Optional<Integer> rateLimit = fields.optionalInt("rate_limit", 1, 1_000_000);
        Optional<String> description = fields.optionalString("description", 2000);
        Optional<String> status = fields.optionalString("status", 20);
        status.ifPresent(v -> fields.check(
                "status",
                v,
                x -> x.equals(SubscriptionState.ACTIVE) || x.equals(SubscriptionState.PAUSED)
                        ? Optional.empty()
                        : Optional.of("must be active or paused")));
        Optional<String> givenReason = fields.optionalString("paused_reason", 500);
        fields.optionalTime("backfill_from").map(SubscriptionHandler::toMillis).ifPresent(start -> {
            if (!start.equals(s.backfillFrom())) {
                fields.reject(
                        "backfill_from",
                        "is where a subscription starts, set when it is made; to deliver a past window again, replay"
                                + " it (POST /v1/subscriptions/{name}/replay)");
            }
        });
        fields.validate("the update");
        // absent: kept; null: every event again; an object: the new filter
        JsonNode filter = body.has("filter") ? filter(body) : s.filter();
        String newStatus = status.orElse(s.status());
        String reason = newStatus.equals(SubscriptionState.PAUSED)
                ? givenReason.orElse(
                        status.isPresent()
                                ? "paused by " + (principal.isAdmin() ? "the admin" : "the subscriber")
                                : s.pausedReason())
                : null;
        return new Change(
                new SubscriptionState(
                        s.subscription(),
                        s.application(),
                        s.action(),
                        handler != null ? handler : s.handler(),
                        maxRetries.orElse(s.maxRetries()),
                        ordered.orElse(s.ordered()),
                        rateLimit.orElse(s.rateLimit()),
                        description.orElse(s.description()),
                        newStatus,
                        reason,
                        s.timestamped(),
                        s.id(),
                        filter,
                        s.backfillFrom()),
                body.has("filter") && !Objects.equals(filter, s.filter()));
    }

    Mono<ServerResponse> delete(ServerRequest request) {
        String name = request.pathVariable("name");
        return requests.principal(request)
                .zipWhen(principal -> found(name))
                .flatMap(t -> {
                    Requests.requireActingAs(t.getT1(), t.getT2().application(), "delete its own subscriptions");
                    return d.transactions()
                            .transactional(d.repository()
                                    .deleteSubscription(name)
                                    .then(d.repository().enqueue(SUBSCRIPTION.key(name))));
                })
                .doOnSuccess(v -> d.relay().wakeUp())
                .then(ServerResponse.noContent().build());
    }

    private Mono<SubscriptionState> found(String name) {
        return d.repository()
                .findSubscription(name)
                .switchIfEmpty(Mono.error(() -> ProblemException.notFound("no subscription named " + name)));
    }

    /** An absolute http(s) URL, or a path starting with '/' resolved against the application's address. */
    static Optional<String> checkHandler(String handler) {
        if (handler.startsWith("/")) {
            return handler.startsWith("//") || handler.contains(" ") || handler.contains("#")
                    ? Optional.of("must be an absolute http(s) URL or a path starting with a single '/'")
                    : Optional.empty();
        }
        return FieldReader.checkHttpUrl(handler);
    }

    private Mono<Map<String, Object>> view(SubscriptionState s) {
        return d.repository().findApplication(s.application()).map(app -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", s.id());
            body.put("subscription", s.subscription());
            body.put("application", s.application());
            body.put("action", s.action());
            body.put("handler", s.handler());
            body.put("endpoint", s.endpoint(app.address()));
            if (s.filter() != null) {
                body.put("filter", s.filter());
            }
            if (s.backfillFrom() != null) {
                body.put("backfill_from", s.backfillFrom());
            }
            body.put("max_retries", s.maxRetries());
            body.put("ordered", s.ordered());
            body.put("rate_limit", s.rateLimit());
            body.put("description", s.description());
            body.put("status", s.status());
            body.put("paused_reason", s.pausedReason());
            body.put("timestamped", s.timestamped());
            return body;
        });
    }

    private static ProblemException invalid(String pointer, String message) {
        return ProblemException.unprocessable(
                "the subscription is invalid: " + pointer + " " + message, List.of(new FieldError(pointer, message)));
    }
}
