package io.amebo.gateway.web;

import io.amebo.contract.Problem;
import io.amebo.gateway.core.RandomIds;
import io.amebo.gateway.publish.PublishOutcome;
import io.amebo.gateway.publish.Publisher;
import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.auth.Principal;
import io.amebo.platform.web.JsonBodies;
import io.amebo.platform.web.ProblemException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.EventLoop;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/events} and {@code POST /v1/events/batch}: outcomes become HTTP here, and only here. */
final class PublishHandler {

    static final String CORRELATION_HEADER = "X-Request-Id";
    private static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");
    private static final int BATCH_CONCURRENCY = 256;

    private final Authenticator authenticator;
    private final JsonBodies bodies;
    private final Publisher publisher;
    private final int maxBatchItems;
    private final MeterRegistry meters;
    private final Timer latency;
    private final Map<CounterKey, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<EventLoop, Scheduler> eventLoops = new java.util.concurrent.ConcurrentHashMap<>();

    PublishHandler(
            Authenticator authenticator,
            JsonBodies bodies,
            Publisher publisher,
            int maxBatchItems,
            MeterRegistry meters) {
        this.authenticator = authenticator;
        this.bodies = bodies;
        this.publisher = publisher;
        this.maxBatchItems = maxBatchItems;
        this.meters = meters;
        this.latency = Timer.builder("amebo.publish.latency")
                .description("Time from receiving a publish to answering it, broker ack included")
                .publishPercentileHistogram()
                .register(meters);
    }

    Mono<ServerResponse> publish(ServerRequest request) {
        long started = System.nanoTime();
        String correlationId = correlationId(request);
        return authenticator
                .authenticate(request.headers().firstHeader(HttpHeaders.AUTHORIZATION))
                .zipWith(bodies.tree(request))
                .flatMap(t -> publisher.publish(t.getT1(), t.getT2(), correlationId))
                // the ack arrives on the producer's one I/O thread; the answer is built on the connection's own
                // event loop, which writes it without another hand-over (JFR: 29 % of a publish's samples ran on
                // the producer's thread when the answer was built there)
                .publishOn(answering(request))
                .flatMap(outcome -> single(outcome, correlationId))
                // every refusal, the publisher's or authentication's or the body's, is counted once, here
                .doOnError(ProblemException.class, e -> reject(e.problem()))
                .doFinally(signal ->
                        latency.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    Mono<ServerResponse> batch(ServerRequest request) {
        String correlationId = correlationId(request);
        return authenticator
                .authenticate(request.headers().firstHeader(HttpHeaders.AUTHORIZATION))
                .zipWith(items(request))
                .flatMap(t -> publishAll(t.getT1(), t.getT2(), correlationId))
                // one hop off the producer's I/O thread for the whole batch, not one an item
                .publishOn(answering(request))
                .flatMap(results -> batchResponse(results, correlationId));
    }

    /**
     * Where a request's answer is built: the event loop its connection lives on, where Netty writes it at once (from
     * any other thread the write is queued to that loop: one more thread hand-over a request); the parallel
     * scheduler when the server is not Reactor Netty.
     */
    private Scheduler answering(ServerRequest request) {
        Object connection =
                ServerHttpRequestDecorator.getNativeRequest(request.exchange().getRequest());
        return connection instanceof Connection c
                ? eventLoops.computeIfAbsent(c.channel().eventLoop(), Schedulers::fromExecutor)
                : Schedulers.parallel();
    }

    /** The batch's items: a JSON array, or one JSON document per line (NDJSON). An unparsable line is its own item. */
    private Mono<List<Object>> items(ServerRequest request) {
        boolean ndjson =
                request.headers().contentType().map(NDJSON::isCompatibleWith).orElse(false);
        Mono<List<Object>> items = ndjson
                ? request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).map(this::ndjsonItems)
                : bodies.tree(request).map(PublishHandler::arrayItems);
        return items.map(list -> {
            if (list.isEmpty()) {
                throw ProblemException.badRequest("the batch is empty");
            }
            if (list.size() > maxBatchItems) {
                throw ProblemException.tooLarge(
                        "a batch holds at most " + maxBatchItems + " events; this one has " + list.size());
            }
            return list;
        });
    }

    private static List<Object> arrayItems(JsonNode body) {
        if (!body.isArray()) {
            throw ProblemException.badRequest("a batch is a JSON array of events (or NDJSON, one event per line)");
        }
        List<Object> items = new ArrayList<>(body.size());
        body.forEach(items::add);
        return items;
    }

    private List<Object> ndjsonItems(byte[] body) {
        List<Object> items = new ArrayList<>();
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                items.add(bodies.parse(line.getBytes(StandardCharsets.UTF_8)));
            } catch (ProblemException e) {
                items.add(e.problem());
            }
        }
        return items;
    }

    private Mono<List<PublishOutcome>> publishAll(Principal principal, List<Object> items, String correlationId) {
        return Flux.fromIterable(items)
                .flatMapSequential(
                        item -> item instanceof JsonNode node
                                ? publisher.publish(principal, node, correlationId)
                                : Mono.just(new PublishOutcome.Rejected((Problem) item)),
                        BATCH_CONCURRENCY)
                .doOnNext(this::count)
                .collectList();
    }

    private Mono<ServerResponse> single(PublishOutcome outcome, String correlationId) {
        if (outcome instanceof PublishOutcome.Rejected r) {
            return Mono.error(new ProblemException(r.problem()));
        }
        count(outcome);
        ServerResponse.BodyBuilder answer = outcome instanceof PublishOutcome.Appended a
                ? ServerResponse.created(URI.create("/v1/events/" + a.id()))
                : ServerResponse.ok();
        return answer.header(CORRELATION_HEADER, correlationId)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body(outcome));
    }

    private Mono<ServerResponse> batchResponse(List<PublishOutcome> outcomes, String correlationId) {
        List<Map<String, Object>> results = new ArrayList<>(outcomes.size());
        int appended = 0;
        int deduplicated = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            PublishOutcome outcome = outcomes.get(i);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("index", i);
            if (outcome instanceof PublishOutcome.Rejected r) {
                result.put("status", r.problem().status());
                result.put("error", r.problem().error());
                if (!r.problem().errors().isEmpty()) {
                    result.put("errors", r.problem().errors());
                }
            } else {
                result.put("status", outcome instanceof PublishOutcome.Appended ? 201 : 200);
                result.putAll(body(outcome));
                if (outcome instanceof PublishOutcome.Appended) {
                    appended++;
                } else {
                    deduplicated++;
                }
            }
            results.add(result);
        }
        int accepted = appended + deduplicated;
        HttpStatus status = accepted == outcomes.size()
                ? HttpStatus.OK
                : accepted == 0 ? noneAppended(outcomes) : HttpStatus.MULTI_STATUS;
        return ServerResponse.status(status)
                .header(CORRELATION_HEADER, correlationId)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of(
                        "results",
                        results,
                        "appended",
                        appended,
                        "deduplicated",
                        deduplicated,
                        "failed",
                        outcomes.size() - accepted));
    }

    /**
     * A batch of which nothing was appended: when every item failed the same way, that way (403 for a caller that
     * may publish none of it, 503 when Kafka did not answer, ...), so a client can act on the status alone; else 422.
     */
    private static HttpStatus noneAppended(List<PublishOutcome> outcomes) {
        Set<Integer> statuses = new HashSet<>();
        for (PublishOutcome outcome : outcomes) {
            statuses.add(((PublishOutcome.Rejected) outcome).problem().status());
        }
        return statuses.size() == 1 ? HttpStatus.valueOf(statuses.iterator().next()) : HttpStatus.UNPROCESSABLE_CONTENT;
    }

    /** The answer for an accepted publish: the event's id and where it lives. */
    private static Map<String, Object> body(PublishOutcome outcome) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (outcome instanceof PublishOutcome.Appended a) {
            put(body, a.id(), a.action(), a.timestamped(), a.partition(), a.offset(), a.deduper());
        } else if (outcome instanceof PublishOutcome.Duplicate d) {
            put(body, d.id(), d.action(), d.timestamped(), d.partition(), d.offset(), d.deduper());
        }
        return body;
    }

    private static void put(
            Map<String, Object> body,
            String id,
            String action,
            java.time.Instant timestamped,
            int partition,
            long offset,
            String deduper) {
        body.put("id", id);
        body.put("action", action);
        body.put("timestamped", timestamped);
        body.put("partition", partition);
        body.put("offset", offset);
        if (deduper != null) {
            body.put("deduper", deduper);
        }
    }

    private void count(PublishOutcome outcome) {
        if (outcome instanceof PublishOutcome.Appended a) {
            counter("amebo.events.published", "action", a.action()).increment();
        } else if (outcome instanceof PublishOutcome.Duplicate d) {
            counter("amebo.events.deduplicated", "action", d.action()).increment();
        } else if (outcome instanceof PublishOutcome.Rejected r) {
            reject(r.problem());
        }
    }

    private void reject(Problem problem) {
        counter("amebo.events.rejected", "reason", reason(problem.status())).increment();
    }

    /** The counter of one (name, tag): looked up in the registry once, not per event (an id is built per lookup). */
    private Counter counter(String name, String tag, String value) {
        return counters.computeIfAbsent(new CounterKey(name, value), k -> meters.counter(name, tag, value));
    }

    private record CounterKey(String name, String value) {}

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "malformed";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "unknown_action";
            case 409 -> "deduper_in_flight";
            case 413 -> "too_large";
            case 415 -> "media_type";
            case 422 -> "invalid";
            case 503 -> "unavailable";
            default -> "other";
        };
    }

    static String correlationId(ServerRequest request) {
        String given = request.headers().firstHeader(CORRELATION_HEADER);
        return given != null && !given.isBlank() && given.length() <= 128
                ? given
                : RandomIds.uuid().toString();
    }
}
