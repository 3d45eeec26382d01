package io.amebo.dispatcher.delivery;

import io.amebo.contract.AddressRanges;
import io.amebo.dispatcher.core.DeliveryOutcome;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;

/**
 * POSTs one signed webhook and says what came of it (DESIGN §5). Redirects are not followed (a 3xx is a failure);
 * every attempt has the configured timeout; a response body is kept only as a 1 KiB excerpt. A handler whose host is,
 * or resolves at delivery time to, a loopback or private address is refused unless allowed, and one in any other
 * special-purpose range always ({@link AddressRanges}); names are checked where they are resolved, by the client's
 * {@link GuardedResolverGroup}.
 */
public final class WebhookSender implements AutoCloseable {

    static final int EXCERPT_BYTES = 1024;

    private final WebClient http;
    private final Duration timeout;
    private final boolean allowPrivate;
    private final boolean allowLoopback;

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

    public Mono<DeliveryOutcome> send(String url, Map<String, String> headers, byte[] body) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Mono.just(new DeliveryOutcome.Refused("the handler URL is invalid: " + e.getMessage()));
        }
        Optional<String> refused = refusal(uri.getHost());
        return refused.isPresent() ? Mono.just(new DeliveryOutcome.Refused(refused.get())) : post(uri, headers, body);
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
            return new DeliveryOutcome.Delivered(status, excerpt.isEmpty() ? null : excerpt);
        }
        if (status == 410) {
            return new DeliveryOutcome.Gone(excerpt);
        }
        String error = status >= 300 && status < 400 ? "redirect (not followed)" : "HTTP " + status;
        return new DeliveryOutcome.Failed(status, error, retryAfterOf(retryAfter), excerpt);
    }

    /**
     * What went wrong, in words that name no address, port or other connection detail: those may be internal (the
     * gist and the error are shown to the subscriber).
     */
    static DeliveryOutcome failure(Throwable e) {
        if (e instanceof java.util.concurrent.TimeoutException) {
            return new DeliveryOutcome.Failed(0, "timeout: no answer in time", Optional.empty(), "");
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof GuardedResolverGroup.RefusedAddressException refused) {
                return new DeliveryOutcome.Refused(refused.getMessage());
            }
        }
        return new DeliveryOutcome.Failed(0, "connection error: " + describe(e), Optional.empty(), "");
    }

    private static String describe(Throwable e) {
        Throwable cause = e instanceof WebClientRequestException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof java.net.UnknownHostException) {
            return "the handler's host is unknown";
        }
        if (cause instanceof java.net.ConnectException) {
            return "the connection was refused";
        }
        if (cause instanceof javax.net.ssl.SSLException) {
            return "the TLS handshake failed";
        }
        if (cause instanceof reactor.netty.http.client.PrematureCloseException
                || cause instanceof java.nio.channels.ClosedChannelException) {
            return "the connection closed before an answer";
        }
        if (cause instanceof java.io.IOException) {
            return "the connection failed (" + cause.getClass().getSimpleName() + ")";
        }
        return cause.getClass().getSimpleName();
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

    /**
     * Why a literal address host may not be called, before anything is sent; a host name is checked where it is
     * resolved, by {@link GuardedResolverGroup}, and the connection goes to the addresses checked there.
     */
    private Optional<String> refusal(String host) {
        if (host == null) {
            return Optional.of("the handler URL has no host");
        }
        return AddressRanges.kindOfLiteral(host)
                .filter(kind -> !AddressRanges.allowed(kind, allowLoopback, allowPrivate))
                .map(kind -> "the handler's host is a loopback, private or reserved address, which may not be called");
    }
}
