package io.amebo.testkit;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * A real local HTTP server that stands in for webhook handlers: it records every request (method, path, headers and
 * the raw body bytes) and answers as scripted. Replies queued with {@link #enqueue} are used once each, in order;
 * after them every request gets the {@link #respondByDefault default} reply. A reply can carry a status, headers, a
 * delay, or drop the connection without answering.
 *
 * <p>It runs on Reactor Netty's event loop, so a delayed reply holds no thread and a slow handler can be simulated
 * for many concurrent requests. Thread-safe.
 */
public final class WebhookReceiver implements AutoCloseable {

    private final LoopResources loops;
    private final DisposableServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Reply> script = new ConcurrentLinkedDeque<>();
    private final AtomicLong sequence = new AtomicLong();
    private volatile Function<Received, Reply> defaultReply = request -> Reply.status(200);

    private WebhookReceiver() {
        // its own event loops: Spring applications closing in the same JVM dispose Reactor Netty's global ones
        this.loops = LoopResources.create("webhook-receiver", 2, true);
        this.server = HttpServer.create()
                .runOn(loops)
                .host("127.0.0.1")
                .port(0)
                .handle(this::handle)
                .bindNow(Duration.ofSeconds(10));
    }

    /** Starts a receiver on a free loopback port. */
    public static WebhookReceiver start() {
        return new WebhookReceiver();
    }

    public int port() {
        return server.port();
    }

    /** The absolute URL of {@code path} on this receiver, e.g. {@code url("/webhooks/user-created")}. */
    public String url(String path) {
        return "http://127.0.0.1:" + port() + (path.startsWith("/") ? path : "/" + path);
    }

    /** The reply for every request once the queued replies are used up (initially 200). */
    public WebhookReceiver respondByDefault(Reply reply) {
        Objects.requireNonNull(reply);
        this.defaultReply = request -> reply;
        return this;
    }

    /** The reply for every request once the queued replies are used up, chosen by looking at the request. */
    public WebhookReceiver respondByDefault(Function<Received, Reply> replies) {
        this.defaultReply = Objects.requireNonNull(replies);
        return this;
    }

    /** Queues one-shot replies for the next requests, in order. */
    public WebhookReceiver enqueue(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** The next {@code times} requests get {@code status}; then the default reply resumes. */
    public WebhookReceiver failNext(int times, int status) {
        for (int i = 0; i < times; i++) {
            script.add(Reply.status(status));
        }
        return this;
    }

    /** Every request received so far, in arrival order. */
    public List<Received> requests() {
        return List.copyOf(received);
    }

    public List<Received> requests(Predicate<Received> filter) {
        return received.stream().filter(filter).toList();
    }

    public int count() {
        return received.size();
    }

    /** Forgets what was received and what was scripted; the default reply goes back to 200. */
    public void reset() {
        received.clear();
        script.clear();
        defaultReply = request -> Reply.status(200);
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
        loops.disposeLater().block(Duration.ofSeconds(5));
    }

    private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        return request.receive()
                .aggregate()
                .asByteArray()
                .defaultIfEmpty(new byte[0])
                .map(body -> record(request, body))
                .flatMap(this::reply)
                .flatMap(reply -> send(reply, response));
    }

    private Received record(HttpServerRequest request, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.requestHeaders()
                .forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(h.getValue()));
        String uri = request.uri();
        int query = uri.indexOf('?');
        Received r = new Received(
                sequence.incrementAndGet(),
                request.method().name(),
                query < 0 ? uri : uri.substring(0, query),
                query < 0 ? "" : uri.substring(query + 1),
                headers,
                body,
                Instant.now());
        received.add(r);
        return r;
    }

    private Mono<Reply> reply(Received request) {
        Reply reply = script.poll();
        Reply chosen = reply != null ? reply : defaultReply.apply(request);
        return chosen.delay().isZero()
                ? Mono.just(chosen)
                : Mono.delay(chosen.delay()).thenReturn(chosen);
    }

    private Mono<Void> send(Reply reply, HttpServerResponse response) {
        if (reply.drop()) {
            response.withConnection(connection -> connection.channel().close());
            return Mono.empty();
        }
        response.status(HttpResponseStatus.valueOf(reply.status()));
        reply.headers().forEach(response::header);
        response.header(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return response.sendString(Mono.just(reply.body()), StandardCharsets.UTF_8)
                .then();
    }

    /** One recorded request. Header names are lower case; the body is the raw bytes received. */
    public record Received(
            long sequence,
            String method,
            String path,
            String query,
            Map<String, List<String>> headers,
            byte[] body,
            Instant receivedAt) {

        /** The first value of a header (any case), or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** How to answer one request. */
    public record Reply(int status, Map<String, String> headers, String body, Duration delay, boolean drop) {

        public Reply {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body);
            Objects.requireNonNull(delay);
        }

        public static Reply status(int status) {
            return new Reply(status, Map.of(), "{}", Duration.ZERO, false);
        }

        /** Closes the connection without sending a response. */
        public static Reply dropConnection() {
            return new Reply(0, Map.of(), "", Duration.ZERO, true);
        }

        public Reply after(Duration delay) {
            return new Reply(status, headers, body, delay, drop);
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Reply(status, more, body, delay, drop);
        }

        public Reply withBody(String body) {
            return new Reply(status, headers, body, delay, drop);
        }
    }
}
