package io.amebo.client;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An application's bearer tokens: fetched from {@code POST /v1/tokens} with its secret on first use, fetched again
 * before they expire (when less than a tenth of their life, at most 60 s, is left) and after Amebo refuses one.
 *
 * <p>Thread-safe. Callers read the current token without locking; one of them fetches a new one while the others
 * wait for it, so a burst of calls on an expiring token asks for one token, not one each.
 */
final class ApplicationTokens implements Authorization {

    static final Duration MAX_MARGIN = Duration.ofSeconds(60);

    private record Token(String header, Instant refreshAt) {}

    private final String application;
    private final String secret;
    private final URI endpoint;
    private final HttpTransport transport;
    private final JsonMapper json;
    private final Clock clock;
    private volatile Token current;

    ApplicationTokens(
            String application, String secret, URI endpoint, HttpTransport transport, JsonMapper json, Clock clock) {
        this.application = application;
        this.secret = secret;
        this.endpoint = endpoint;
        this.transport = transport;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public String header() {
        Token token = current;
        return token != null && clock.instant().isBefore(token.refreshAt())
                ? token.header()
                : refresh().header();
    }

    /** Forgets the refused token (unless another thread replaced it already), so the next call fetches one. */
    @Override
    public synchronized boolean refused(String header) {
        if (current != null && current.header().equals(header)) {
            current = null;
        }
        return true;
    }

    private synchronized Token refresh() {
        Token token = current;
        if (token != null && clock.instant().isBefore(token.refreshAt())) {
            return token; // fetched by the thread this one waited for
        }
        Instant asked = clock.instant(); // the token's life counts from before the request
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("application", application);
        body.put("secret", secret);
        HttpTransport.Call call = new HttpTransport.Call(
                "POST", endpoint, json.writeValueAsBytes(body), Idempotency.IDEMPOTENT, Map.of());
        JsonNode answer = Json.tree(json, call, transport.expect(call, Authorization.NONE));
        String value = answer.path("token").asString(null);
        if (value == null || value.isEmpty()) {
            throw new AmeboTransportException(call.describe() + ": the answer held no token", null);
        }
        Duration life = Duration.ofSeconds(Math.max(0, answer.path("expires_in").asLong(0)));
        current = new Token("Bearer " + value, asked.plus(life).minus(margin(life)));
        return current;
    }

    /** How long before expiry a token is replaced: a tenth of its life, at most {@link #MAX_MARGIN}. */
    static Duration margin(Duration life) {
        Duration tenth = life.dividedBy(10);
        return tenth.compareTo(MAX_MARGIN) < 0 ? tenth : MAX_MARGIN;
    }
}
