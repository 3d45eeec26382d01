package io.amebo.bench;

import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** A no-op webhook receiver on Reactor Netty: reads each POST, answers 200, counts. Handlers of both the ceiling
 * and the product deliver here; it can also be made slow, for the isolation measurement. */
final class Receiver implements AutoCloseable {

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong slowReceived = new AtomicLong();
    private final DisposableServer server;

    Receiver() {
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes.post(
                                "/slow/**",
                                (request, response) -> request.receive()
                                        .then(Mono.delay(java.time.Duration.ofSeconds(5)))
                                        .then(Mono.fromRunnable(slowReceived::incrementAndGet))
                                        .then(response.status(200).send()))
                        .post(
                                "/timed/**",
                                (request, response) -> request.receive()
                                        .aggregate()
                                        .asString()
                                        .doOnNext(this::recordLatency)
                                        .then(response.status(200).send()))
                        .post(
                                "/**",
                                (request, response) -> request.receive()
                                        .then(Mono.fromRunnable(received::incrementAndGet))
                                        .then(response.status(200).send())))
                .bindNow();
    }

    private static final java.util.regex.Pattern SENT = java.util.regex.Pattern.compile("\"sent\":\\s*(\\d+)");
    private volatile org.HdrHistogram.Recorder latencies = new org.HdrHistogram.Recorder(3);

    /** The payload's {@code sent} is the bench JVM's System.nanoTime() when the event was made: this JVM's too. */
    private void recordLatency(String body) {
        java.util.regex.Matcher m = SENT.matcher(body);
        if (m.find()) {
            latencies.recordValue(Math.max(1, (System.nanoTime() - Long.parseLong(m.group(1))) / 1_000));
        }
    }

    void resetLatencies() {
        latencies = new org.HdrHistogram.Recorder(3);
    }

    /** The latencies recorded since the last reset, in µs. */
    org.HdrHistogram.Histogram latencies() {
        return latencies.getIntervalHistogram();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    long received() {
        return received.get();
    }

    long slowReceived() {
        return slowReceived.get();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
