package io.amebo.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.publisher.Mono;

/**
 * An HTTP/1.1 load generator in the manner of {@code wrk -t1}: one Netty event loop, keep-alive connections, a
 * request written as soon as a connection is free. Closed loop (a fixed number of requests in flight, as
 * {@code wrk -c}) or open loop at a fixed rate, where each latency is measured from when the request was due, so a
 * stalled server is charged for every request it held up (no coordinated omission).
 *
 * <p>A generic client (Reactor Netty's, the JDK's) costs several times what a no-op server does per request; on a
 * 2-core machine it then becomes the ceiling it is meant to measure (it gave a Boot no-op endpoint 6.6k req/s where
 * {@code wrk} gives 45k). This one costs about what {@code wrk} does.
 */
final class Load implements AutoCloseable {

    /** One request: method, path, headers and body (null for none). */
    record Request(String method, String path, String authorization, String contentType, byte[] body) {}

    /** What a run measured: completed requests per second, latency percentiles in ms, and non-2xx answers. */
    record Result(double perSecond, double p50, double p99, double max, long errors, long completed) {}

    private record Pending(Request request, CompletableFuture<Integer> answer) {}

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final String host;
    private final int port;
    private final String hostHeader;
    private final String basePath;
    private final int connections;
    // touched on the event loop only
    private final Deque<Channel> idle = new ArrayDeque<>();
    private final Deque<Pending> waiting = new ArrayDeque<>();
    private int opened;

    Load(String baseUrl, int connections) {
        URI uri = URI.create(baseUrl);
        this.host = uri.getHost();
        this.port = uri.getPort() < 0 ? 80 : uri.getPort();
        this.hostHeader = host + ":" + port;
        this.basePath = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
        this.connections = connections;
        boolean epoll = Epoll.isAvailable();
        this.group =
                new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.loop = group.next();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new Answers());
                    }
                });
    }

    /** {@code inFlight} requests at all times for {@code duration}, after {@code warmup} of the same unmeasured. */
    Result closedLoop(LongFunction<Request> requests, int inFlight, Duration warmup, Duration duration) {
        AtomicLong next = new AtomicLong();
        run(requests, next, inFlight, warmup, new Recorder(3), new AtomicLong());
        Recorder recorder = new Recorder(3);
        AtomicLong errors = new AtomicLong();
        long started = System.nanoTime();
        long completed = run(requests, next, inFlight, duration, recorder, errors);
        double seconds = (System.nanoTime() - started) / 1e9;
        return result(recorder.getIntervalHistogram(), completed, seconds, errors.get());
    }

    private long run(
            LongFunction<Request> requests,
            AtomicLong next,
            int inFlight,
            Duration duration,
            Recorder recorder,
            AtomicLong errors) {
        long deadline = System.nanoTime() + duration.toNanos();
        CountDownLatch done = new CountDownLatch(inFlight);
        AtomicLong completed = new AtomicLong();
        for (int n = 0; n < inFlight; n++) {
            loop.execute(() -> keepGoing(requests, next, deadline, recorder, errors, completed, done));
        }
        await(done, duration.plusSeconds(60));
        return completed.get();
    }

    /** One of the closed loop's requests; when it is answered, the next one, until the deadline. */
    private void keepGoing(
            LongFunction<Request> requests,
            AtomicLong next,
            long deadline,
            Recorder recorder,
            AtomicLong errors,
            AtomicLong completed,
            CountDownLatch done) {
        if (System.nanoTime() >= deadline) {
            done.countDown();
            return;
        }
        long sent = System.nanoTime();
        submit(requests.apply(next.getAndIncrement())).whenComplete((status, failure) -> {
            record(status, sent, recorder, errors);
            completed.incrementAndGet();
            keepGoing(requests, next, deadline, recorder, errors, completed, done);
        });
    }

    /** Requests due at {@code rate} per second for {@code duration}, each timed from when it was due. */
    Result openLoop(LongFunction<Request> requests, int rate, Duration duration) {
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
            submit(requests.apply(i)).whenComplete((status, failure) -> {
                record(status, due, recorder, errors);
                done.countDown();
            });
        }
        await(done, Duration.ofSeconds(60));
        double seconds = (System.nanoTime() - started) / 1e9;
        return result(recorder.getIntervalHistogram(), total - done.getCount(), seconds, errors.get());
    }

    /** One request, untimed: its status, or -1 when it failed. */
    Mono<Integer> single(Request request) {
        return Mono.fromFuture(() -> submit(request));
    }

    private static void record(Integer status, long fromNanos, Recorder recorder, AtomicLong errors) {
        recorder.recordValue(Math.max(1, (System.nanoTime() - fromNanos) / 1_000));
        if (status == null || status < 200 || status >= 300) {
            errors.incrementAndGet();
        }
    }

    /** The request's status once answered, -1 when its connection failed; it waits for a free connection. */
    private CompletableFuture<Integer> submit(Request request) {
        CompletableFuture<Integer> answer = new CompletableFuture<>();
        Pending pending = new Pending(request, answer);
        if (loop.inEventLoop()) {
            dispatch(pending);
        } else {
            loop.execute(() -> dispatch(pending));
        }
        return answer;
    }

    private void dispatch(Pending pending) {
        Channel channel = idle.poll();
        if (channel != null) {
            write(channel, pending);
            return;
        }
        waiting.add(pending);
        openIfWanted();
    }

    /** Another connection when requests wait and the pool is not full; a failed connect fails one request. */
    private void openIfWanted() {
        if (waiting.isEmpty() || opened >= connections) {
            return;
        }
        opened++;
        bootstrap.connect(host, port).addListener((ChannelFuture connected) -> {
            if (connected.isSuccess()) {
                free(connected.channel());
            } else {
                opened--;
                Pending first = waiting.poll();
                if (first != null) {
                    first.answer().complete(-1);
                }
                openIfWanted();
            }
        });
    }

    private void free(Channel channel) {
        Pending next = waiting.poll();
        if (next != null) {
            write(channel, next);
        } else {
            idle.add(channel);
        }
    }

    private void write(Channel channel, Pending pending) {
        Request request = pending.request();
        FullHttpRequest http = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(request.method()),
                basePath + request.path(),
                request.body() == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(request.body()));
        http.headers().set(HttpHeaderNames.HOST, hostHeader);
        HttpUtil.setContentLength(http, request.body() == null ? 0 : request.body().length);
        if (request.contentType() != null) {
            http.headers().set(HttpHeaderNames.CONTENT_TYPE, request.contentType());
        }
        if (request.authorization() != null) {
            http.headers().set(HttpHeaderNames.AUTHORIZATION, request.authorization());
        }
        channel.pipeline().get(Answers.class).current = pending;
        channel.writeAndFlush(http);
    }

    /** Reads one connection's answers; the connection goes back to the pool after each complete one. */
    private final class Answers extends SimpleChannelInboundHandler<HttpObject> {

        private Pending current;
        private int status = -1;
        private boolean keepAlive = true;

        @Override
        protected void channelRead0(ChannelHandlerContext context, HttpObject message) {
            if (message instanceof HttpResponse response) {
                status = response.status().code();
                keepAlive = HttpUtil.isKeepAlive(response);
            }
            if (message instanceof LastHttpContent && current != null) {
                Pending answered = current;
                current = null;
                if (keepAlive) {
                    free(context.channel());
                } else {
                    context.close();
                }
                answered.answer().complete(status);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            opened--;
            idle.remove(context.channel());
            if (current != null) {
                current.answer().complete(-1);
                current = null;
            }
            openIfWanted();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close();
        }
    }

    private static void await(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
