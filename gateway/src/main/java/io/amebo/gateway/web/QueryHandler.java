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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v1/events} (a time range of some actions, or of every action the caller may read, merged in time
 * order, page by page or streamed as NDJSON) and {@code GET /v1/events/{id}}, read straight from Kafka. Only an
 * action's owner, its subscribers and the admin may read its events.
 */
final class QueryHandler {

    private static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");
    private static final int DEFAULT_LIMIT = 15;
    private static final int MAX_LIMIT = 100;
    private static final int STREAM_PAGE = 500;
    private static final int MAX_ACTIONS = 100;

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
        // the id is looked at only after the caller is known: 401 comes before anything says what exists
        return principal(request).flatMap(principal -> {
            EventId id;
            try {
                id = EventId.decode(request.pathVariable("id"));
            } catch (IllegalArgumentException e) {
                return Mono.error(ProblemException.notFound("no such event: " + e.getMessage()));
            }
            return found(principal, id);
        });
    }

    private Mono<ServerResponse> found(Principal principal, EventId id) {
        return readable(principal, id.action())
                .flatMap(action -> events.read(action.topic(), id.partition(), id.offset()))
                .onErrorMap(KafkaEventLog.ReadersBusyException.class, QueryHandler::busy)
                .flatMap(found -> found.map(record -> ServerResponse.ok()
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(event(id.action(), record)))
                        .orElseGet(() -> Mono.error(ProblemException.notFound(
                                "no such event (it was never appended, or its retention has passed)"))));
    }

    /**
     * A time range of the actions named by {@code action} (repeated, or comma-separated), or without it of every action
     * the caller may read, merged in time order.
     */
    Mono<ServerResponse> range(ServerRequest request) {
        List<String> names = actionNames(request);
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
                .flatMap(principal -> names.isEmpty()
                        ? Mono.just(allReadable(principal))
                        : Flux.fromIterable(names)
                                .concatMap(name -> readable(principal, name))
                                .collectList())
                .map(Topics::of)
                .flatMap(topics -> stream
                        ? streamed(topics, from, to, deduper)
                        : paged(request, names, topics, from, to, deduper));
    }

    /** The actions of a query and their topics, each way round. */
    private record Topics(Map<String, String> actionOfTopic, Map<String, String> topicOfAction) {
        static Topics of(List<ActionState> actions) {
            Map<String, String> actionOfTopic = new HashMap<>();
            Map<String, String> topicOfAction = new HashMap<>();
            for (ActionState action : actions) {
                actionOfTopic.put(action.topic(), action.action());
                topicOfAction.put(action.action(), action.topic());
            }
            return new Topics(actionOfTopic, topicOfAction);
        }

        Set<String> topics() {
            return actionOfTopic.keySet();
        }
    }

    /** The distinct names given as {@code action}, repeated or comma-separated, in the order given. */
    private static List<String> actionNames(ServerRequest request) {
        Set<String> names = new LinkedHashSet<>();
        for (String value : request.queryParams().getOrDefault("action", List.of())) {
            for (String name : value.split(",", -1)) {
                if (name.isBlank()) {
                    throw ProblemException.badRequest(
                            "an action name in action is empty",
                            List.of(new FieldError("/action", "names an empty action")));
                }
                names.add(name.trim());
            }
        }
        if (names.size() > MAX_ACTIONS) {
            throw ProblemException.badRequest(
                    "at most " + MAX_ACTIONS + " actions may be named in one query",
                    List.of(new FieldError("/action", "names more than " + MAX_ACTIONS + " actions")));
        }
        return List.copyOf(names);
    }

    private Mono<ServerResponse> paged(
            ServerRequest request,
            List<String> names,
            Topics topics,
            Instant from,
            Instant to,
            Optional<String> deduper) {
        int limit = limit(request);
        String actionsKey = EventCursor.actionsKey(names);
        Optional<Map<TopicPartition, Long>> resume = request.queryParam("cursor")
                .map(text -> EventCursor.decode(text)
                        .filter(c -> c.actions().equals(actionsKey)
                                && c.fromMillis() == from.toEpochMilli()
                                && c.toMillis() == to.toEpochMilli())
                        .orElseThrow(() -> ProblemException.badRequest(
                                "the cursor does not belong to this query",
                                List.of(new FieldError("/cursor", "does not belong to this query")))))
                .map(cursor -> resumeAt(cursor, topics));
        if (resume.isPresent() && resume.get().isEmpty()) {
            // every partition the cursor had left belongs to an action deleted since: nothing more to read
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(List.of());
        }
        return events.page(topics.topics(), from, to, resume.orElse(Map.of()), limit)
                .onErrorMap(KafkaEventLog.ReadersBusyException.class, QueryHandler::busy)
                .flatMap(page -> {
                    List<Event> body = page.records().stream()
                            .map(record -> event(topics, record))
                            .filter(e -> deduper.isEmpty() || deduper.get().equals(e.deduper()))
                            .toList();
                    ServerResponse.BodyBuilder ok = ServerResponse.ok().contentType(MediaType.APPLICATION_JSON);
                    if (page.next().isPresent()) {
                        Map<EventCursor.Position, Long> positions = new HashMap<>();
                        page.next()
                                .get()
                                .forEach((partition, offset) -> positions.put(
                                        new EventCursor.Position(
                                                topics.actionOfTopic().get(partition.topic()), partition.partition()),
                                        offset));
                        String cursor =
                                new EventCursor(actionsKey, from.toEpochMilli(), to.toEpochMilli(), positions).encode();
                        UriComponentsBuilder link = UriComponentsBuilder.fromPath("/v1/events");
                        if (!names.isEmpty()) {
                            link.queryParam("action", names.toArray());
                        }
                        String next = link.queryParam("from", from.toString())
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

    /** The cursor's positions in the query's topics; those of actions no longer there are dropped. */
    private static Map<TopicPartition, Long> resumeAt(EventCursor cursor, Topics topics) {
        Map<TopicPartition, Long> resume = new HashMap<>();
        cursor.nextOffsets().forEach((position, offset) -> {
            String topic = topics.topicOfAction().get(position.action());
            if (topic != null) {
                resume.put(new TopicPartition(topic, position.partition()), offset);
            }
        });
        return resume;
    }

    private Mono<ServerResponse> streamed(Topics topics, Instant from, Instant to, Optional<String> deduper) {
        Flux<Event> all = events.stream(topics.topics(), from, to, STREAM_PAGE)
                .map(record -> event(topics, record))
                .filter(e -> deduper.isEmpty() || deduper.get().equals(e.deduper()));
        return ServerResponse.ok().contentType(NDJSON).body(all, Event.class);
    }

    private Mono<Principal> principal(ServerRequest request) {
        return authenticator.authenticate(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
    }

    /** The action, if {@code principal} may read its events: 404 when there is none, 403 when it may not. */
    private Mono<ActionState> readable(Principal principal, String actionName) {
        return registry.action(actionName).map(found -> {
            ActionState action = found.orElseThrow(() -> ProblemException.notFound("no action named " + actionName));
            if (!mayRead(principal, action)) {
                throw ProblemException.forbidden(
                        "only the owner of " + actionName + ", its subscribers and the admin may read its events");
            }
            return action;
        });
    }

    /** Every action of the registry view that {@code principal} may read. */
    private List<ActionState> allReadable(Principal principal) {
        return registry.view().actions().stream()
                .filter(action -> mayRead(principal, action))
                .toList();
    }

    /**
     * Who reads an action's events (DESIGN §4.1): the admin, the owner, or a subscriber the owner allows: for an action
     * with a {@code subscribers} list, an application on it; for an open one, an application with a subscription to
     * it.
     */
    private boolean mayRead(Principal principal, ActionState action) {
        return principal.mayActAs(action.application())
                || principal instanceof Principal.Application app
                        && action.allowsSubscriber(app.name())
                        && (action.subscribers() != null
                                || registry.view().subscriptionsOf(action.action()).stream()
                                        .anyMatch(s -> s.application().equals(app.name())));
    }

    private Event event(Topics topics, ConsumerRecord<String, byte[]> record) {
        return event(topics.actionOfTopic().get(record.topic()), record);
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
