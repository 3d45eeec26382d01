package io.amebo.gateway.publish;

import io.amebo.contract.EventHeaders;
import io.amebo.contract.EventId;
import io.amebo.contract.Names;
import io.amebo.contract.Problem.FieldError;
import io.amebo.contract.registry.ActionState;
import io.amebo.gateway.core.DelaySpec;
import io.amebo.gateway.core.PartitionKeys;
import io.amebo.gateway.core.RandomIds;
import io.amebo.gateway.http.RegistryLookups;
import io.amebo.gateway.kafka.KafkaEventLog;
import io.amebo.gateway.store.DedupeRepository;
import io.amebo.gateway.store.DedupeRepository.Claim;
import io.amebo.platform.auth.Principal;
import io.amebo.platform.schema.SchemaCompiler;
import io.amebo.platform.schema.SchemaCompiler.CompiledSchema;
import io.amebo.platform.store.BackgroundMigration;
import io.amebo.platform.web.FieldReader;
import io.amebo.platform.web.ProblemException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The publishing path (DESIGN §4, §6.1, §6.3), one event at a time:
 *
 * <pre>
 *   read fields ─▶ resolve action ─▶ authorize ─▶ validate payload ─▶ claim deduper ─▶ append ─▶ record deduper
 *        │              │                │                │                 │             │
 *        └──────────────┴── Rejected ────┴────────────────┘            Duplicate     Rejected (503/413)
 * </pre>
 *
 * Every refusal happens before the append, so a publish answered 4xx appended nothing. The append is the last
 * step that can fail the publish, and its ack (acks=all) is what the 201 reports.
 */
public final class Publisher {

    private static final Logger log = LoggerFactory.getLogger(Publisher.class);
    private static final Set<String> FIELDS = Set.of("action", "payload", "deduper", "key", "sleep_until");
    private static final Duration STALE_CLAIM = Duration.ofSeconds(30);

    private final RegistryLookups registry;
    private final SchemaCompiler compiler;
    private final KafkaEventLog events;
    private final DedupeRepository dedupe;
    private final BackgroundMigration dedupeSchema;
    private final JsonMapper json;
    private final Clock clock;
    private final Duration publishTimeout;
    private final Duration dedupeWindow;
    private final String schemaBaseUrl;
    private final Map<String, Version> versions = new ConcurrentHashMap<>();

    public Publisher(
            RegistryLookups registry,
            SchemaCompiler compiler,
            KafkaEventLog eventLog,
            DedupeRepository dedupe,
            BackgroundMigration dedupeSchema,
            JsonMapper json,
            Clock clock,
            Duration publishTimeout,
            Duration dedupeWindow,
            String schemaBaseUrl) {
        this.registry = registry;
        this.compiler = compiler;
        this.events = eventLog;
        this.dedupe = dedupe;
        this.dedupeSchema = dedupeSchema;
        this.json = json;
        this.clock = clock;
        this.publishTimeout = publishTimeout;
        this.dedupeWindow = dedupeWindow;
        this.schemaBaseUrl = schemaBaseUrl;
    }

    /** A publish request after its fields were read. */
    record Request(String action, JsonNode payload, String deduper, String key, Optional<Instant> notBefore) {}

    /** A request whose action is known, allowed and whose payload is valid: ready to append. */
    record Valid(
            Request request, ActionState action, List<Header> constantHeaders, byte[] payload, Optional<String> key) {}

    /** What every event of one (action, version) shares: its compiled schema and its headers, encoded once. */
    private record Version(CompiledSchema schema, List<Header> headers) {}

    public Mono<PublishOutcome> publish(Principal principal, JsonNode item, String correlationId) {
        return Mono.fromCallable(() -> read(item))
                .flatMap(this::resolve)
                .map(resolved -> authorize(principal, resolved))
                .map(this::validate)
                .flatMap(valid -> deduplicate(valid, correlationId))
                .onErrorResume(ProblemException.class, e -> Mono.just(new PublishOutcome.Rejected(e.problem())));
    }

    private Request read(JsonNode item) {
        if (!item.isObject()) {
            throw ProblemException.badRequest("an event must be a JSON object");
        }
        FieldReader fields = new FieldReader(item, FIELDS);
        String action = fields.check("action", fields.requiredString("action", 200), Names::checkAction);
        Optional<JsonNode> payload = fields.optionalNode("payload");
        if (payload.isEmpty()) {
            fields.reject("payload", "is required");
        }
        String deduper = fields.optionalString("deduper", 256).orElse(null);
        if (deduper != null && deduper.isEmpty()) {
            fields.reject("deduper", "must not be empty");
        }
        String key = fields.optionalString("key", 1024).orElse(null);
        DelaySpec.Parsed delay = DelaySpec.parse(item.get("sleep_until"), clock.instant());
        delay.problem().ifPresent(problem -> fields.reject("sleep_until", problem));
        fields.validate("the event");
        return new Request(action, payload.get(), deduper, key, delay.notBefore());
    }

    private record Resolved(Request request, ActionState action) {}

    private Mono<Resolved> resolve(Request request) {
        return registry.action(request.action())
                .map(found -> new Resolved(
                        request,
                        found.orElseThrow(() -> ProblemException.notFound("no action named " + request.action()))));
    }

    private Resolved authorize(Principal principal, Resolved resolved) {
        if (!principal.mayActAs(resolved.action().application())) {
            throw ProblemException.forbidden("only " + resolved.action().application() + " may publish "
                    + resolved.action().action());
        }
        return resolved;
    }

    private Valid validate(Resolved resolved) {
        ActionState action = resolved.action();
        JsonNode payload = resolved.request().payload();
        Version version = versionOf(action);
        List<FieldError> violations = version.schema().validate(payload, "/payload");
        if (!violations.isEmpty()) {
            throw ProblemException.unprocessable(
                    "the payload does not match the schema of " + action.action() + ": "
                            + violations.get(0).pointer() + " "
                            + violations.get(0).message()
                            + (violations.size() > 1 ? " (and " + (violations.size() - 1) + " more)" : ""),
                    violations);
        }
        return new Valid(
                resolved.request(),
                action,
                version.headers(),
                json.writeValueAsBytes(payload),
                PartitionKeys.keyOf(resolved.request().key(), action.partitionKey(), payload));
    }

    /**
     * Made once per (action, version): the schema compiled (the registry refused invalid schemas, so compiling
     * succeeds) and the headers every event of it carries alike.
     */
    private Version versionOf(ActionState action) {
        return versions.computeIfAbsent(
                action.action() + "@" + action.version(),
                k -> new Version(
                        compiler.compile(action.schemata(), "/schemata")
                                .schema()
                                .orElseThrow(() -> ProblemException.unavailable("the schema of " + action.action()
                                        + " cannot be compiled; ask its owner to fix it")),
                        List.of(
                                header(EventHeaders.SPEC_VERSION, EventHeaders.SPEC_VERSION_VALUE),
                                header(EventHeaders.SOURCE, EventHeaders.source(action.application())),
                                header(EventHeaders.TYPE, action.action()),
                                header(
                                        EventHeaders.DATA_SCHEMA,
                                        schemaBaseUrl + "/v1/actions/" + action.action() + "/schemata/"
                                                + action.version()),
                                header(EventHeaders.CONTENT_TYPE, EventHeaders.JSON),
                                header(EventHeaders.SCHEMA_VERSION, Integer.toString(action.version())))));
    }

    private Mono<PublishOutcome> deduplicate(Valid valid, String correlationId) {
        String deduper = valid.request().deduper();
        if (deduper == null) {
            return append(valid, correlationId);
        }
        if (!dedupeSchema.isReady()) {
            return Mono.error(ProblemException.unavailable(
                    "deduplication is unavailable until PostgreSQL answers; publish without a deduper or retry"));
        }
        String action = valid.action().action();
        return dedupe.claim(action, deduper, clock.instant(), dedupeWindow, STALE_CLAIM)
                .onErrorMap(
                        e -> !(e instanceof ProblemException),
                        e -> ProblemException.unavailable(
                                "deduplication is unavailable until PostgreSQL answers; publish without a deduper or retry"))
                .flatMap(claim -> onClaim(claim, valid, correlationId));
    }

    private Mono<PublishOutcome> onClaim(Claim claim, Valid valid, String correlationId) {
        if (claim instanceof Claim.Existing existing) {
            return Mono.just(
                    duplicate(existing, valid.action().action(), valid.request().deduper()));
        }
        if (claim instanceof Claim.InFlight) {
            return Mono.error(ProblemException.conflict("a publish with this deduper is in progress; retry shortly"));
        }
        return appendAndRecord(valid, correlationId);
    }

    private Mono<PublishOutcome> appendAndRecord(Valid valid, String correlationId) {
        String action = valid.action().action();
        String deduper = valid.request().deduper();
        return append(valid, correlationId)
                .flatMap(outcome -> outcome instanceof PublishOutcome.Appended appended
                        ? dedupe.record(action, deduper, appended.id(), appended.timestamped())
                                .onErrorResume(e -> {
                                    log.warn(
                                            "Appended {} but could not record its deduper: {}",
                                            appended.id(),
                                            e.toString());
                                    return Mono.empty();
                                })
                                .thenReturn(outcome)
                        : Mono.just(outcome))
                .onErrorResume(ProblemException.class, e -> releaseUnlessAmbiguous(action, deduper, e));
    }

    /** After a definite failure the claim goes, so a retry can publish; after a timeout the append may land. */
    private Mono<PublishOutcome> releaseUnlessAmbiguous(String action, String deduper, ProblemException failure) {
        boolean ambiguous = failure.getCause() instanceof TimeoutException
                || failure.getCause() instanceof org.apache.kafka.common.errors.TimeoutException;
        Mono<Void> release =
                ambiguous ? Mono.empty() : dedupe.release(action, deduper).onErrorResume(e -> Mono.empty());
        return release.then(Mono.error(failure));
    }

    private PublishOutcome duplicate(Claim.Existing existing, String action, String deduper) {
        EventId id = EventId.decode(existing.eventId());
        return new PublishOutcome.Duplicate(
                existing.eventId(), action, existing.timestamped(), id.partition(), id.offset(), deduper);
    }

    private Mono<PublishOutcome> append(Valid valid, String correlationId) {
        ActionState action = valid.action();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(
                action.topic(), null, null, valid.key().orElse(null), valid.payload(), headers(valid, correlationId));
        return events.append(record)
                .timeout(publishTimeout)
                .map(metadata -> appended(action, metadata, valid.request().deduper()))
                .onErrorMap(Publisher::toProblem);
    }

    private RecordHeaders headers(Valid valid, String correlationId) {
        RecordHeaders headers = new RecordHeaders();
        for (Header constant : valid.constantHeaders()) {
            headers.add(constant);
        }
        add(headers, EventHeaders.ID, RandomIds.uuid().toString());
        add(headers, EventHeaders.TIME, clock.instant().toString());
        if (valid.request().deduper() != null) {
            add(headers, EventHeaders.DEDUPER, valid.request().deduper());
        }
        valid.request().notBefore().ifPresent(at -> add(headers, EventHeaders.NOT_BEFORE, at.toString()));
        if (correlationId != null) {
            add(headers, EventHeaders.CORRELATION_ID, correlationId);
        }
        return headers;
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static PublishOutcome appended(ActionState action, RecordMetadata metadata, String deduper) {
        String id = new EventId(action.action(), metadata.partition(), metadata.offset()).encode();
        return new PublishOutcome.Appended(
                id,
                action.action(),
                Instant.ofEpochMilli(metadata.timestamp()),
                metadata.partition(),
                metadata.offset(),
                deduper);
    }

    private static Throwable toProblem(Throwable failure) {
        if (failure instanceof ProblemException) {
            return failure;
        }
        if (failure instanceof RecordTooLargeException) {
            return ProblemException.tooLarge("the event is larger than the broker accepts");
        }
        ProblemException unavailable = failure instanceof TimeoutException
                        || failure instanceof org.apache.kafka.common.errors.TimeoutException
                        || failure instanceof BufferExhaustedException
                ? ProblemException.unavailable("Kafka did not acknowledge the event in time; retry")
                : ProblemException.unavailable("Kafka refused the event; retry");
        if (!(failure instanceof TimeoutException)) {
            log.warn("Append failed: {}", failure.toString());
        }
        return unavailable.causedBy(failure);
    }
}
