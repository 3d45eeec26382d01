package io.amebo.registry.web;

import static io.amebo.contract.registry.RegistryKeys.Kind.ACTION;
import static io.amebo.contract.registry.RegistryKeys.Kind.SUBSCRIPTION;

import io.amebo.contract.KafkaNames;
import io.amebo.contract.Names;
import io.amebo.contract.Problem.FieldError;
import io.amebo.contract.registry.ActionState;
import io.amebo.platform.auth.Principal;
import io.amebo.platform.schema.SchemaCompiler;
import io.amebo.platform.web.FieldReader;
import io.amebo.platform.web.ListPages;
import io.amebo.platform.web.ProblemException;
import io.amebo.registry.core.PageRequest;
import io.amebo.registry.core.Retention;
import io.amebo.registry.core.schema.CompatibilityMode;
import io.amebo.registry.core.schema.Incompatibility;
import io.amebo.registry.core.schema.SchemaCompatibility;
import io.amebo.registry.store.RegistryRepository.Filter;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** {@code /v1/actions}: register an action with its topic and schema, list, get, add schema versions. */
final class ActionHandler {

    private static final Set<String> CREATE_FIELDS = Set.of(
            "action",
            "application",
            "schemata",
            "partitions",
            "retention",
            "partition_key",
            "compatibility",
            "description",
            "subscribers");
    private static final Set<String> UPDATE_FIELDS = Set.of("subscribers", "description");
    private static final int MAX_SUBSCRIBERS = 1000;
    private static final Pattern JSON_POINTER = Pattern.compile("^(/([^/~]|~[01])*)+$");

    private final Requests requests;
    private final RegistryRoutes.Dependencies d;

    ActionHandler(Requests requests, RegistryRoutes.Dependencies d) {
        this.requests = requests;
        this.d = d;
    }

    record NewAction(ActionState state, Retention retention, String schema) {}

    Mono<ServerResponse> create(ServerRequest request) {
        return requests.principal(request)
                .flatMap(principal -> d.bodies().object(request).map(body -> readNew(principal, body)))
                .flatMap(this::checkOwnerAndName)
                .flatMap(this::insert)
                .flatMap(action -> ServerResponse.created(URI.create("/v1/actions/" + action.action()))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(view(action, List.of(), 0L)));
    }

    private NewAction readNew(Principal principal, JsonNode body) {
        FieldReader fields = new FieldReader(body, CREATE_FIELDS);
        String name = fields.check("action", fields.requiredString("action", 200), Names::checkAction);
        String owner = fields.check("application", fields.requiredString("application", 100), Names::checkApplication);
        JsonNode schema = readSchema(fields);
        int partitions = fields.optionalInt("partitions", 1, d.maxPartitions()).orElse(d.defaultPartitions());
        Retention retention = fields.optionalString("retention", 40)
                .map(text -> {
                    Retention.ParseResult parsed = Retention.parse(text);
                    parsed.problem().ifPresent(p -> fields.reject("retention", p));
                    return parsed.retention().orElse(d.defaultRetention());
                })
                .orElse(d.defaultRetention());
        String partitionKey = fields.check(
                "partition_key",
                fields.optionalString("partition_key", 512).orElse(null),
                p -> JSON_POINTER.matcher(p).matches()
                        ? Optional.empty()
                        : Optional.of("must be a JSON pointer into the payload, such as /user_id"));
        CompatibilityMode mode = readMode(fields, "compatibility");
        String description = fields.optionalString("description", 2000).orElse(null);
        List<String> subscribers = readSubscribers(fields).orElse(null);
        fields.validate("the action");
        if (owner != null && !principal.mayActAs(owner)) {
            throw ProblemException.forbidden("an application may only register actions it owns");
        }
        Instant now = d.clock().instant();
        ActionState state = new ActionState(
                name,
                owner,
                d.names().eventTopic(name),
                1,
                schema,
                partitions,
                retention.text(),
                partitionKey,
                mode.name().toLowerCase(),
                description,
                now,
                subscribers);
        return new NewAction(state, retention, d.json().writeValueAsString(schema));
    }

    /**
     * {@code subscribers}: {@code "open"} (any application may subscribe; the default) or the list of applications
     * the owner allows to subscribe, and so to read its events; empty when absent or "open".
     */
    private static Optional<List<String>> readSubscribers(FieldReader fields) {
        Optional<JsonNode> node = fields.optionalNode("subscribers");
        if (node.isEmpty() || node.get().isString() && node.get().asString().equals("open")) {
            return Optional.empty();
        }
        if (!node.get().isArray() || node.get().size() > MAX_SUBSCRIBERS) {
            fields.reject("subscribers", "must be \"open\" or a list of at most " + MAX_SUBSCRIBERS + " applications");
            return Optional.empty();
        }
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < node.get().size(); i++) {
            JsonNode item = node.get().get(i);
            Optional<String> problem = item.isString()
                    ? Names.checkApplication(item.asString())
                    : Optional.of("must be an application name");
            if (problem.isPresent()) {
                fields.rejectAt("/subscribers/" + i, problem.get());
            } else if (!names.contains(item.asString())) {
                names.add(item.asString());
            }
        }
        return Optional.of(names);
    }

    /**
     * {@code PATCH /v1/actions/{name}}: the owner (or the admin) changes who may subscribe, or the description. An
     * application taken off {@code subscribers} has its subscriptions to the action paused, with the reason, in the
     * same transaction: it receives and reads nothing more.
     */
    Mono<ServerResponse> update(ServerRequest request) {
        String name = request.pathVariable("name");
        return requests.principal(request)
                .zipWhen(principal -> found(name))
                .flatMap(t -> {
                    Requests.requireActingAs(t.getT1(), t.getT2().application(), "change actions it owns");
                    return d.bodies().object(request).flatMap(body -> applyUpdate(t.getT2(), body));
                })
                .then(found(name))
                .zipWith(d.repository().subscriberCount(name))
                .flatMap(t -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(view(t.getT1(), List.of(), t.getT2())));
    }

    private Mono<Void> applyUpdate(ActionState action, JsonNode body) {
        FieldReader fields = new FieldReader(body, UPDATE_FIELDS);
        boolean changesSubscribers = body.has("subscribers");
        List<String> subscribers = readSubscribers(fields).orElse(null);
        Optional<String> description = fields.optionalString("description", 2000);
        if (!changesSubscribers && description.isEmpty()) {
            fields.reject("subscribers", "send subscribers or description to change");
        }
        fields.validate("the update");
        Instant now = d.clock().instant();
        Mono<Void> steps = Mono.empty();
        if (changesSubscribers) {
            steps = steps.then(d.repository().updateActionSubscribers(action.action(), subscribers));
            if (subscribers != null) {
                steps = steps.then(d.repository()
                        .pauseSubscriptionsNotAllowed(
                                action.action(),
                                subscribers,
                                "the owner of " + action.action() + " no longer allows this application to subscribe",
                                now)
                        .concatMap(subscription -> d.repository().enqueue(SUBSCRIPTION.key(subscription)))
                        .then());
            }
        }
        if (description.isPresent()) {
            steps = steps.then(d.repository().updateActionDescription(action.action(), description.get()));
        }
        return d.transactions()
                .transactional(steps.then(d.repository().enqueue(ACTION.key(action.action()))))
                .doOnSuccess(v -> d.relay().wakeUp());
    }

    /** The schema object; a string holding JSON is accepted, as the original did, and parsed once. */
    private JsonNode readSchema(FieldReader fields) {
        Optional<JsonNode> node = fields.optionalNode("schemata");
        if (node.isEmpty()) {
            fields.reject("schemata", "is required");
            return null;
        }
        JsonNode schema = node.get();
        if (schema.isString()) {
            try {
                schema = d.json().readTree(schema.asString());
            } catch (RuntimeException e) {
                fields.reject("schemata", "is a string that does not hold JSON");
                return null;
            }
        }
        if (rejectUnstorable(fields, schema, "/schemata")) {
            return null;
        }
        SchemaCompiler.Compilation compiled = d.compiler().compile(schema, "/schemata");
        compiled.problems().forEach(p -> fields.rejectAt(p.pointer(), p.message()));
        return schema;
    }

    /** Rejects every name and string in the schema that PostgreSQL's jsonb cannot keep (NULs, lone surrogates). */
    private static boolean rejectUnstorable(FieldReader fields, JsonNode node, String pointer) {
        boolean rejected = false;
        if (node.isString()) {
            Optional<String> problem = FieldReader.checkStorable(node.asString());
            problem.ifPresent(p -> fields.rejectAt(pointer, p));
            rejected = problem.isPresent();
        } else if (node.isObject()) {
            for (var member : node.properties()) {
                String at = pointer + FieldReader.pointer(member.getKey());
                Optional<String> problem = FieldReader.checkStorable(member.getKey());
                problem.ifPresent(p -> fields.rejectAt(at, "names a member that " + p.substring(5)));
                rejected |= problem.isPresent() | rejectUnstorable(fields, member.getValue(), at);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                rejected |= rejectUnstorable(fields, node.get(i), pointer + "/" + i);
            }
        }
        return rejected;
    }

    private static CompatibilityMode readMode(FieldReader fields, String name) {
        return fields.optionalString(name, 20)
                .map(text -> CompatibilityMode.parse(text).orElseGet(() -> {
                    fields.reject(name, "must be backward, forward, full or none");
                    return CompatibilityMode.BACKWARD;
                }))
                .orElse(CompatibilityMode.BACKWARD);
    }

    private Mono<NewAction> checkOwnerAndName(NewAction action) {
        String metric = KafkaNames.metricName(action.state().topic());
        return d.repository()
                .findApplication(action.state().application())
                .switchIfEmpty(Mono.error(() -> ProblemException.unprocessable(
                        "the action is invalid: no application named "
                                + action.state().application(),
                        List.of(new FieldError("/application", "names no registered application")))))
                .then(d.repository().actionCount(action.state().application()))
                .doOnNext(owned -> {
                    if (owned >= d.maxActionsPerApplication()) {
                        throw ProblemException.conflict(
                                "application " + action.state().application() + " owns " + owned
                                        + " actions, the most one application may own");
                    }
                })
                .thenMany(d.repository().actionsWithMetricName(metric))
                .collectList()
                .map(existing -> {
                    d.names().conflictOf(action.state().action(), existing).ifPresent(problem -> {
                        if (existing.contains(action.state().action())) {
                            throw ProblemException.conflict(
                                    "an action named " + action.state().action() + " exists");
                        }
                        throw ProblemException.unprocessable(
                                "the action is invalid: /action " + problem,
                                List.of(new FieldError("/action", problem)));
                    });
                    return action;
                });
    }

    private Mono<ActionState> insert(NewAction action) {
        ActionState state = action.state();
        return d.topics()
                .ensureEventTopic(
                        state.topic(), state.partitions(), action.retention().retentionMs())
                .onErrorMap(
                        e -> !(e instanceof ProblemException),
                        e -> ProblemException.unavailable(
                                "Kafka did not create the topic " + state.topic() + " in time; try again"))
                .then(d.transactions()
                        .transactional(d.repository()
                                .insertAction(state, KafkaNames.metricName(state.topic()), action.schema())
                                .then(d.repository().enqueue(ACTION.key(state.action())))))
                .onErrorMap(
                        DataIntegrityViolationException.class,
                        e -> ProblemException.conflict("an action named " + state.action() + " exists"))
                .doOnSuccess(v -> d.relay().wakeUp())
                .thenReturn(state);
    }

    Mono<ServerResponse> list(ServerRequest request) {
        PageRequest page = Requests.page(request);
        List<Filter> filters = List.of(
                Filter.contains("a.name", request.queryParam("action").orElse(null)),
                Filter.contains(
                        "a.application", request.queryParam("application").orElse(null)),
                Filter.contains("s.schema", request.queryParam("schemata").orElse(null)),
                Filter.atLeast("a.created_at", Requests.time(request, "from").orElse(null)),
                Filter.before("a.created_at", Requests.time(request, "to").orElse(null)));
        return requests.principal(request)
                .thenMany(d.repository().listActions(filters, page.offset(), ListPages.rowsToFetch(page.size())))
                .concatMap(action ->
                        d.repository().subscriberCount(action.action()).map(n -> view(action, null, n)))
                .collectList()
                .flatMap(items -> ListPages.respond(request, page.page(), page.size(), items));
    }

    Mono<ServerResponse> get(ServerRequest request) {
        String name = request.pathVariable("name");
        return requests.principal(request)
                .then(found(name))
                .flatMap(action -> d.repository()
                        .schemaVersions(name)
                        .map(v -> Map.<String, Object>of("version", v.version(), "timestamped", v.timestamped()))
                        .collectList()
                        .zipWith(d.repository().subscriberCount(name))
                        .map(t -> view(action, t.getT1(), t.getT2())))
                .flatMap(body -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(body));
    }

    /** One schema version as it was registered: what {@code ce_dataschema} points at. */
    Mono<ServerResponse> schema(ServerRequest request) {
        String name = request.pathVariable("name");
        String version = request.pathVariable("version");
        return requests.principal(request)
                .thenMany(d.repository().schemaVersions(name))
                .filter(v -> String.valueOf(v.version()).equals(version))
                .next()
                .switchIfEmpty(Mono.error(
                        () -> ProblemException.notFound("action " + name + " has no schema version " + version)))
                .flatMap(v -> ServerResponse.ok()
                        .contentType(MediaType.parseMediaType("application/schema+json"))
                        .bodyValue(v.schema()));
    }

    Mono<ServerResponse> addVersion(ServerRequest request) {
        String name = request.pathVariable("name");
        return requests.principal(request)
                .zipWhen(principal -> found(name))
                .flatMap(t -> {
                    Requests.requireActingAs(
                            t.getT1(), t.getT2().application(), "change the schemata of actions it owns");
                    return d.bodies().object(request).map(body -> newVersion(t.getT2(), body));
                })
                .flatMap(this::insertVersion)
                .flatMap(state -> ServerResponse.created(
                                URI.create("/v1/actions/" + name + "/schemata/" + state.version()))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("action", name, "version", state.version(), "schemata", state.schemata())));
    }

    private ActionState newVersion(ActionState current, JsonNode body) {
        FieldReader fields = new FieldReader(body, Set.of("schemata"));
        JsonNode schema = readSchema(fields);
        fields.validate("the schema");
        CompatibilityMode mode =
                CompatibilityMode.parse(current.compatibility()).orElse(CompatibilityMode.BACKWARD);
        List<Incompatibility> problems = SchemaCompatibility.check(current.schemata(), schema, mode);
        if (!problems.isEmpty()) {
            throw ProblemException.unprocessable(
                    "the new schema is not " + mode.name().toLowerCase() + " compatible with version "
                            + current.version() + ": " + problems.get(0).message(),
                    problems.stream()
                            .map(p -> new FieldError("/schemata" + p.pointer(), p.message()))
                            .toList());
        }
        return new ActionState(
                current.action(),
                current.application(),
                current.topic(),
                current.version() + 1,
                schema,
                current.partitions(),
                current.retention(),
                current.partitionKey(),
                current.compatibility(),
                current.description(),
                current.timestamped(),
                current.subscribers());
    }

    private Mono<ActionState> insertVersion(ActionState next) {
        return d.transactions()
                .transactional(d.repository()
                        .insertSchema(
                                next.action(),
                                next.version(),
                                d.json().writeValueAsString(next.schemata()),
                                d.clock().instant())
                        .then(d.repository().enqueue(ACTION.key(next.action()))))
                .onErrorMap(
                        DataIntegrityViolationException.class,
                        e -> ProblemException.conflict("another schema version was registered at the same time"))
                .doOnSuccess(v -> d.relay().wakeUp())
                .thenReturn(next);
    }

    private Mono<ActionState> found(String name) {
        return d.repository()
                .findAction(name)
                .switchIfEmpty(Mono.error(() -> ProblemException.notFound("no action named " + name)));
    }

    static Map<String, Object> view(ActionState action, List<?> versions, Long subscriptions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", action.action());
        body.put("application", action.application());
        body.put("schemata", action.schemata());
        body.put("version", action.version());
        if (versions != null && !versions.isEmpty()) {
            body.put("versions", versions);
        }
        body.put("topic", action.topic());
        body.put("partitions", action.partitions());
        body.put("retention", action.retention());
        body.put("partition_key", action.partitionKey());
        body.put("compatibility", action.compatibility());
        body.put("description", action.description());
        body.put("subscribers", action.subscribers() == null ? "open" : action.subscribers());
        body.put("subscription_count", subscriptions);
        body.put("timestamped", action.timestamped());
        return body;
    }
}
