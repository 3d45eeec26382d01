package io.amebo.dispatcher.delivery;

import io.amebo.dispatcher.core.DeliveryOutcome;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * POSTs one signed webhook and says what came of it (DESIGN §5). Redirects are not followed (a 3xx is a failure);
 * every attempt has the configured timeout; a response body is kept only as a 1 KiB excerpt. A handler whose host
 * resolves, at delivery time, to a loopback, link-local or private address is refused unless allowed.
 */
public final class WebhookSender implements AutoCloseable {

    static final int EXCERPT_BYTES = 1024;
    private static final Duration RESOLUTION_TTL = Duration.ofSeconds(30);

    private final WebClient http;
    private final Duration timeout;
    private final boolean allowPrivate;
    private final boolean allowLoopback;
    private final Map<String, Resolution> resolutions = new ConcurrentHashMap<>();

    private final Runnable release;

    /** {@code release} frees the HTTP client's connections and event loops when the sender is closed. */
    public WebhookSender(
            WebClient http, Duration timeout, boolean allowPrivate, boolean allowLoopback, Runnable release) {
        this.http = http;
        this.release = release;
        this.timeout = timeout;
        this.allowPrivate = allowPrivate;
        this.allowLoopback = allowLoopback;
    }

    @Override
    public void close() {
        release.run();
    }

    private record Resolution(Optional<String> refusal, long expiresAtNanos) {}

    public Mono<DeliveryOutcome> send(String url, Map<String, String> headers, byte[] body) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Mono.just(new DeliveryOutcome.Refused("the handler URL is invalid: " + e.getMessage()));
        }
        return refusal(uri.getHost())
                .flatMap(refused -> refused.isPresent()
                        ? Mono.just(new DeliveryOutcome.Refused(refused.get()))
                        : post(uri, headers, body));
    }

    private Mono<DeliveryOutcome> post(URI uri, Map<String, String> headers, byte[] body) {
        return http.post()
                .uri(uri)
                .contentType(MediaType.APPLICATION_JSON)
                .headers(h -> headers.forEach(h::set))
                .bodyValue(body)
                .exchangeToMono(response -> excerptOf(response)
                        .map(bytes -> outcome(
                                response.statusCode().value(),
                                response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER),
                                bytes)))
                .timeout(timeout)
                .onErrorResume(e -> Mono.just(failure(e)));
    }

    /**
     * At most the first {@link #EXCERPT_BYTES} of the response body: reading stops there (the rest is never read and
     * the connection is closed), so a large or endless body costs nothing and never turns a 2xx into a failure.
     */
    private static Mono<byte[]> excerptOf(ClientResponse response) {
        return DataBufferUtils.join(
                        DataBufferUtils.takeUntilByteCount(response.bodyToFlux(DataBuffer.class), EXCERPT_BYTES))
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    return bytes;
                })
                .defaultIfEmpty(new byte[0]);
    }

    static DeliveryOutcome outcome(int status, String retryAfter, byte[] body) {
        String excerpt = excerpt(body);
        if (status >= 200 && status < 300) {
            return new DeliveryOutcome.Delivered(status);
        }
        if (status == 410) {
            return new DeliveryOutcome.Gone(excerpt);
        }
        String error = status >= 300 && status < 400 ? "redirect (not followed)" : "HTTP " + status;
        return new DeliveryOutcome.Failed(status, error, retryAfterOf(retryAfter), excerpt);
    }

    private static DeliveryOutcome failure(Throwable e) {
        if (e instanceof java.util.concurrent.TimeoutException) {
            return new DeliveryOutcome.Failed(0, "timeout: no answer in time", Optional.empty(), "");
        }
        Throwable cause = e instanceof WebClientRequestException && e.getCause() != null ? e.getCause() : e;
        return new DeliveryOutcome.Failed(
                0,
                "connection error: " + cause.getClass().getSimpleName() + ": " + cause.getMessage(),
                Optional.empty(),
                "");
    }

    /** {@code Retry-After} in seconds; the HTTP-date form is not honoured (rare for webhooks) and counts as absent. */
    static Optional<java.time.Duration> retryAfterOf(String header) {
        if (header == null) {
            return Optional.empty();
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String excerpt(byte[] body) {
        int length = Math.min(body.length, EXCERPT_BYTES);
        return new String(body, 0, length, StandardCharsets.UTF_8);
    }

    /** Why the host may not be called, resolved off the event loop and cached briefly. */
    private Mono<Optional<String>> refusal(String host) {
        if (host == null) {
            return Mono.just(Optional.of("the handler URL has no host"));
        }
        if (allowPrivate && allowLoopback) {
            return Mono.just(Optional.empty());
        }
        Resolution cached = resolutions.get(host);
        if (cached != null && cached.expiresAtNanos() > System.nanoTime()) {
            return Mono.just(cached.refusal());
        }
        return Mono.fromCallable(() -> resolve(host)).subscribeOn(Schedulers.boundedElastic());
    }

    private Optional<String> resolve(String host) {
        Optional<String> refusal;
        try {
            refusal = Optional.empty();
            for (InetAddress address : InetAddress.getAllByName(host)) {
                boolean loopback = address.isLoopbackAddress();
                boolean internal = address.isSiteLocalAddress()
                        || address.isLinkLocalAddress()
                        || address.isAnyLocalAddress()
                        || isUniqueLocal(address);
                if (loopback && !allowLoopback || internal && !allowPrivate) {
                    refusal = Optional.of("the handler's host " + host + " resolves to " + address.getHostAddress()
                            + ", a loopback, link-local or private address that is not allowed");
                    break;
                }
            }
        } catch (UnknownHostException e) {
            return Optional.empty(); // let the attempt fail as a connection error, and be retried
        }
        resolutions.put(host, new Resolution(refusal, System.nanoTime() + RESOLUTION_TTL.toNanos()));
        return refusal;
    }

    private static boolean isUniqueLocal(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 16 && (bytes[0] & 0xFE) == 0xFC;
    }
}
