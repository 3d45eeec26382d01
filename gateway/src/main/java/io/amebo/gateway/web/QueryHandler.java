package io.amebo.gateway.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import io.amebo.contract.EventHeaders;
import io.amebo.contract.EventId;
import io.amebo.contract.Problem.FieldError;
import io.amebo.contract.registry.ActionState;
import io.amebo.gateway.core.EventCursor;
import io.amebo.gateway.http.RegistryLookups;
import io.amebo.gateway.kafka.KafkaEventLog;
import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.auth.Principal;
import io.amebo.platform.web.ProblemException;
import io.amebo.platform.web.QueryParams;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v1/events} (a time range of one action, page by page or streamed as NDJSON) and
 * {@code GET /v1/events/{id}}, read straight from Kafka. Only the action's owner, its subscribers and the admin may
 * read its events.
 */
final class QueryHandler {

    private static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");
    private static final int DEFAULT_LIMIT = 15;
    private static final int MAX_LIMIT = 100;
    private static final int STREAM_PAGE = 500;

    private final Authenticator authenticator;
    private final RegistryLookups registry;
    private final KafkaEventLog events;

    QueryHandler(Authenticator authenticator, RegistryLookups registry, KafkaEventLog events) {
        this.authenticator = authenticator;
        this.registry = registry;
        this.events = events;
    }

    /** One event as the API shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Event(
            String id,
            String action,
            String application,
            @JsonRawValue String payload,
            String deduper,
            String key,
            Instant timestamped,
            int partition,
            long offset,
            @JsonProperty("schema_version") Integer schemaVersion,
            @JsonProperty("sleep_until") String notBefore) {}

    Mono<ServerResponse> byId(ServerRequest request) {
        EventId id;
        try {
            id = EventId.decode(request.pathVariable("id"));
        } catch (IllegalArgumentException e) {
            return Mono.error(ProblemException.notFound("no such event: " + e.getMessage()));
        }
        return principal(request)
                .flatMap(principal -> readable(principal, id.action()))
                .flatMap(action -> events.read(action.topic(), id.partition(), id.offset()))
                .onErrorMap(KafkaEventLog.ReadersBusyException.class, QueryHandler::busy)
                .flatMap(found -> found.map(record -> ServerResponse.ok()
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(event(id.action(), record)))
                        .orElseGet(() -> Mono.error(ProblemException.notFound(
                                "no such event (it was never appended, or its retention has passed)"))));
    }

    Mono<ServerResponse> range(ServerRequest request) {
        String actionName = request.queryParam("action")
                .filter(a -> !a.isBlank())
                .orElseThrow(() -> ProblemException.badRequest(
                        "the action to read is required", List.of(new FieldError("/action", "is required"))));
        Instant from = QueryParams.time(request, "from").orElse(Instant.EPOCH);
        Instant to = QueryParams.time(request, "to").orElse(Instant.now().plusMillis(1));
        if (!from.isBefore(to)) {
            throw ProblemException.badRequest(
                    "from must be before to", List.of(new FieldError("/from", "must be before to")));
        }
        Optional<String> deduper = request.queryParam("deduper");
        // only an explicit ask streams: a wildcard Accept gets the paged JSON array
        boolean stream = request.headers().accept().stream()
                .anyMatch(type -> type.getType().equals(NDJSON.getType())
                        && type.getSubtype().equals(NDJSON.getSubtype()));
        return principal(request)
                .flatMap(principal -> readable(principal, actionName))
                .flatMap(action ->
                        stream ? streamed(action, from, to, deduper) : paged(request, action, from, to, deduper));
    }

    private Mono<ServerResponse> paged(
            ServerRequest request, ActionState action, Instant from, Instant to, Optional<String> deduper) {
        int limit = limit(request);
        Map<Integer, Long> resume = request.queryParam("cursor")
                .map(text -> EventCursor.decode(text)
                        .filter(c -> c.action().equals(action.action())
                                && c.fromMillis() == from.toEpochMilli()
                                && c.toMillis() == to.toEpochMilli())
                        .orElseThrow(() -> ProblemException.badRequest(
                                "the cursor does not belong to this query",
                                List.of(new FieldError("/cursor", "does not belong to this query")))))
                .map(EventCursor::nextOffsets)
                .orElse(Map.of());
        return events.page(action.topic(), from, to, resume, limit)
                .onErrorMap(KafkaEventLog.ReadersBusyException.class, QueryHandler::busy)
                .flatMap(page -> {
                    List<Event> body = page.records().stream()
                            .map(record -> event(action.action(), record))
                            .filter(e -> deduper.isEmpty() || deduper.get().equals(e.deduper()))
                            .toList();
                    ServerResponse.BodyBuilder ok = ServerResponse.ok().contentType(MediaType.APPLICATION_JSON);
                    if (page.next().isPresent()) {
                        String cursor = new EventCursor(
                                        action.action(),
                                        from.toEpochMilli(),
                                        to.toEpochMilli(),
                                        page.next().get())
                                .encode();
                        String next = UriComponentsBuilder.fromPath("/v1/events")
                                .queryParam("action", action.action())
                                .queryParam("from", from.toString())
                                .queryParam("to", to.toString())
                                .queryParam("limit", limit)
                                .queryParam("cursor", cursor)
                                .queryParamIfPresent("deduper", deduper)
                                .encode()
                                .build()
                                .toUriString();
                        ok = ok.header(HttpHeaders.LINK, "<" + next + ">; rel=\"next\"")
                                .header("X-Next-Cursor", cursor);
                    }
                    return ok.bodyValue(body);
                });
    }

    private Mono<ServerResponse> streamed(ActionState action, Instant from, Instant to, Optional<String> deduper) {
        Flux<Event> all = events.stream(action.topic(), from, to, STREAM_PAGE)
                .map(record -> event(action.action(), record))
                .filter(e -> deduper.isEmpty() || deduper.get().equals(e.deduper()));
        return ServerResponse.ok().contentType(NDJSON).body(all, Event.class);
    }

    private Mono<Principal> principal(ServerRequest request) {
        return authenticator.authenticate(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
    }

    /**
     * The action, if {@code principal} may read its events (DESIGN §4.1): the admin, the owner, or a subscriber the
     * owner allows: for an action with a {@code subscribers} list, an application on it; for an open one, an
     * application with a subscription to it.
     */
    private Mono<ActionState> readable(Principal principal, String actionName) {
        return registry.action(actionName).map(found -> {
            ActionState action = found.orElseThrow(() -> ProblemException.notFound("no action named " + actionName));
            boolean allowed = principal.mayActAs(action.application())
                    || principal instanceof Principal.Application app
                            && action.allowsSubscriber(app.name())
                            && (action.subscribers() != null
                                    || registry.view().subscriptionsOf(actionName).stream()
                                            .anyMatch(s -> s.application().equals(app.name())));
            if (!allowed) {
                throw ProblemException.forbidden(
                        "only the owner of " + actionName + ", its subscribers and the admin may read its events");
            }
            return action;
        });
    }

    private Event event(String action, ConsumerRecord<String, byte[]> record) {
        String source = header(record, EventHeaders.SOURCE);
        String version = header(record, EventHeaders.SCHEMA_VERSION);
        return new Event(
                new EventId(action, record.partition(), record.offset()).encode(),
                action,
                source != null && source.startsWith("/applications/")
                        ? source.substring("/applications/".length())
                        : null,
                new String(record.value(), StandardCharsets.UTF_8),
                header(record, EventHeaders.DEDUPER),
                record.key(),
                Instant.ofEpochMilli(record.timestamp()),
                record.partition(),
                record.offset(),
                version == null ? null : Integer.valueOf(version),
                header(record, EventHeaders.NOT_BEFORE));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** {@code limit}, or Amebo's {@code pagination} as a synonym. */
    private static int limit(ServerRequest request) {
        String name = request.queryParam("limit").isPresent() ? "limit" : "pagination";
        return QueryParams.number(request, name, 1, MAX_LIMIT, DEFAULT_LIMIT);
    }

    private static ProblemException busy(Throwable e) {
        return ProblemException.unavailable("all event readers are busy; retry shortly");
    }
}
