package io.amebo.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * An HTTP load generator on Reactor Netty's client: closed loop (a fixed number of requests in flight, as
 * {@code wrk -c}) or open loop at a fixed rate, where each latency is measured from when the request was due, so a
 * stalled server is charged for every request it held up (no coordinated omission).
 */
final class Load implements AutoCloseable {

    /** One request: method, path, headers and body (null for none). */
    record Request(String method, String path, String authorization, String contentType, byte[] body) {}

    /** What a run measured: completed requests per second, latency percentiles in ms, and non-2xx answers. */
    record Result(double perSecond, double p50, double p99, double max, long errors, long completed) {}

    private final ConnectionProvider pool;
    private final HttpClient client;

    Load(String baseUrl, int connections) {
        this.pool = ConnectionProvider.builder("bench")
                .maxConnections(connections)
                .pendingAcquireMaxCount(-1)
                .build();
        this.client = HttpClient.create(pool).baseUrl(baseUrl).responseTimeout(Duration.ofSeconds(30));
    }

    /** {@code inFlight} requests at all times for {@code duration}, after {@code warmup} of the same unmeasured. */
    Result closedLoop(LongFunction<Request> requests, int inFlight, Duration warmup, Duration duration) {
        run(requests, inFlight, warmup, new Recorder(3), new AtomicLong());
        Recorder recorder = new Recorder(3);
        AtomicLong errors = new AtomicLong();
        long started = System.nanoTime();
        long completed = run(requests, inFlight, duration, recorder, errors);
        double seconds = (System.nanoTime() - started) / 1e9;
        return result(recorder.getIntervalHistogram(), completed, seconds, errors.get());
    }

    private long run(
            LongFunction<Request> requests, int inFlight, Duration duration, Recorder recorder, AtomicLong errors) {
        long deadline = System.nanoTime() + duration.toNanos();
        Long count = Flux.generate(() -> 0L, (Long i, reactor.core.publisher.SynchronousSink<Long> sink) -> {
                    if (System.nanoTime() >= deadline) {
                        sink.complete();
                    } else {
                        sink.next(i);
                    }
                    return i + 1;
                })
                .flatMap(i -> timed(requests.apply(i), System.nanoTime(), recorder, errors), inFlight, 1)
                .count()
                .block(duration.plusSeconds(60));
        return count == null ? 0 : count;
    }

    /** Requests due at {@code rate} per second for {@code duration}, each timed from when it was due. */
    Result openLoop(LongFunction<Request> requests, int rate, Duration duration) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicLong errors = new AtomicLong();
        long total = rate * duration.toSeconds();
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        CountDownLatch done = new CountDownLatch((int) total);
        long started = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long due = started + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            timed(requests.apply(i), due, recorder, errors)
                    .doFinally(signal -> done.countDown())
                    .subscribe();
        }
        done.await(60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - started) / 1e9;
        return result(recorder.getIntervalHistogram(), total - done.getCount(), seconds, errors.get());
    }

    /** One request, untimed: its status, or -1 when it failed. */
    Mono<Integer> single(Request request) {
        return timed(request, System.nanoTime(), new Recorder(3), new AtomicLong());
    }

    private Mono<Integer> timed(Request request, long dueNanos, Recorder recorder, AtomicLong errors) {
        HttpClient.RequestSender sender = client.headers(h -> {
                    if (request.authorization() != null) {
                        h.set("Authorization", request.authorization());
                    }
                    if (request.contentType() != null) {
                        h.set("Content-Type", request.contentType());
                    }
                })
                .request(io.netty.handler.codec.http.HttpMethod.valueOf(request.method()))
                .uri(request.path());
        HttpClient.ResponseReceiver<?> receiver = request.body() == null
                ? sender
                : sender.send(ByteBufFlux.fromInbound(Mono.fromSupplier(() -> wrap(request.body()))));
        return receiver.responseSingle((response, body) -> body.asByteArray()
                        .defaultIfEmpty(new byte[0])
                        .map(bytes -> response.status().code()))
                .doOnNext(status -> {
                    recorder.recordValue(Math.max(1, (System.nanoTime() - dueNanos) / 1_000));
                    if (status >= 300) {
                        errors.incrementAndGet();
                    }
                })
                .onErrorResume(e -> {
                    errors.incrementAndGet();
                    return Mono.just(-1);
                });
    }

    private static ByteBuf wrap(byte[] body) {
        return Unpooled.wrappedBuffer(body);
    }

    private static Result result(Histogram latencies, long completed, double seconds, long errors) {
        return new Result(
                completed / seconds,
                latencies.getValueAtPercentile(50) / 1000.0,
                latencies.getValueAtPercentile(99) / 1000.0,
                latencies.getMaxValue() / 1000.0,
                errors,
                completed);
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
