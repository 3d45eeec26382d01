package io.amebo.client;

import io.amebo.client.WebhookVerificationException.Reason;
import io.amebo.contract.WebhookHeaders;
import io.amebo.contract.WebhookSignatures;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks that a webhook request came from Amebo, for a handler in any Java web framework, and reads its envelope:
 *
 * <pre>{@code
 * WebhookVerifier verifier = WebhookVerifier.of(System.getenv("EMAIL_SERVICE_SECRET"));
 * // in the handler, with the raw body bytes (verify before parsing, and never re-serialise them):
 * WebhookDelivery delivery = verifier.verify(request::getHeader, bodyBytes);   // servlet
 * delivery = verifier.verify(exchange.getRequestHeaders(), bodyBytes);  // or a map of headers
 * }</pre>
 *
 * <p>Which signature is checked:
 *
 * <ul>
 *   <li>Standard Webhooks, when any of {@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature} is
 *       present: all three are then required, the timestamp must be within the tolerance of the clock (5 minutes by
 *       default), and one {@code v1} signature over {@code id.timestamp.body} must match. The timestamp is what
 *       makes an intercepted request useless later;
 *   <li>else {@code X-Amebo-Signature} ({@code sha256=<hex HMAC of the body>}), unless
 *       {@link Builder#acceptAmeboSignature(boolean) turned off}. It signs the body only: <b>no timestamp, hence no
 *       replay protection</b>. A captured request verifies forever; deduplicate on {@link WebhookDelivery#id()}.
 *       Amebo sends both headers, so only a receiver behind something that drops the {@code webhook-*} headers
 *       needs it.
 * </ul>
 *
 * Secrets are the subscribing application's: a {@code whsec_<base64>} secret keys the HMAC with its decoded bytes,
 * any other with its UTF-8 bytes (as {@link WebhookSignatures} does). Give several during a rotation: a request
 * signed with any of them verifies. Header names are matched without regard to case. Immutable and thread-safe.
 */
public final class WebhookVerifier {

    private final WebhookSignatures signatures;
    private final Duration tolerance;
    private final Clock clock;
    private final boolean acceptAmeboSignature;
    private final JsonMapper json;

    private WebhookVerifier(Builder builder) {
        this.signatures = WebhookSignatures.of(builder.secrets);
        this.tolerance = builder.tolerance;
        this.clock = builder.clock;
        this.acceptAmeboSignature = builder.acceptAmeboSignature;
        this.json = Json.lenient(builder.jsonMapper);
    }

    /** A verifier with these secrets (the current one and, during a rotation, the previous), and the defaults. */
    public static WebhookVerifier of(String... secrets) {
        return builder(List.of(secrets)).build();
    }

    public static Builder builder(List<String> secrets) {
        return new Builder(secrets);
    }

    /**
     * Verifies a request given its headers as a map (values a {@code String} or a collection of them, as
     * {@code Map<String, List<String>>} from most frameworks), and reads its envelope.
     *
     * @throws WebhookVerificationException when the request is not verifiably Amebo's, saying why
     */
    public WebhookDelivery verify(Map<String, ?> headers, byte[] body) {
        Map<String, Object> caseless = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, value) -> {
            if (name != null) { // some maps hold the status line under a null name
                caseless.put(name, value);
            }
        });
        return verify(name -> first(caseless.get(name)), body);
    }

    /**
     * Verifies a request given a header lookup (such as a servlet's {@code request::getHeader}) and reads its
     * envelope. The lookup is asked with the names as Amebo writes them, then in lower case.
     *
     * @throws WebhookVerificationException when the request is not verifiably Amebo's, saying why
     */
    public WebhookDelivery verify(Function<String, String> headers, byte[] body) {
        Objects.requireNonNull(body, "body");
        String id = header(headers, WebhookHeaders.ID);
        String timestamp = header(headers, WebhookHeaders.TIMESTAMP);
        String signature = header(headers, WebhookHeaders.SIGNATURE);
        WebhookSignatures.Verification verification;
        if (id != null || timestamp != null || signature != null) {
            verification = signatures.verifyStandard(id, timestamp, signature, body, clock.instant(), tolerance);
        } else {
            String amebo = acceptAmeboSignature ? header(headers, WebhookHeaders.AMEBO_SIGNATURE) : null;
            verification = signatures.verifyAmebo(amebo, body);
        }
        switch (verification) {
            case VALID -> {
                return parse(body);
            }
            case MISSING_HEADER ->
                throw new WebhookVerificationException(Reason.MISSING_HEADER, missing(id, timestamp));
            case MALFORMED_TIMESTAMP ->
                throw new WebhookVerificationException(
                        Reason.MALFORMED_TIMESTAMP, "webhook-timestamp is not a number of seconds: " + timestamp);
            case STALE_TIMESTAMP ->
                throw new WebhookVerificationException(
                        Reason.STALE_TIMESTAMP,
                        "webhook-timestamp " + timestamp.trim() + " is more than " + tolerance + " from "
                                + clock.instant() + ": a late or replayed request");
            default ->
                throw new WebhookVerificationException(
                        Reason.NO_MATCHING_SIGNATURE, "no signature matches the body with any of the secrets");
        }
    }

    /**
     * Reads a delivery envelope without verifying anything: for bodies verified elsewhere, or in tests.
     *
     * @throws WebhookVerificationException ({@link Reason#MALFORMED_BODY}) when the body is not an envelope
     */
    public WebhookDelivery parse(byte[] body) {
        try {
            JsonNode envelope = json.readTree(body);
            if (envelope == null || !envelope.isObject() || !envelope.hasNonNull("id")) {
                throw new WebhookVerificationException(Reason.MALFORMED_BODY, "the body is not a delivery envelope");
            }
            return json.treeToValue(envelope, WebhookDelivery.class);
        } catch (JacksonException e) {
            throw new WebhookVerificationException(
                    Reason.MALFORMED_BODY, "the body is not a delivery envelope: " + e.getOriginalMessage());
        }
    }

    private String missing(String id, String timestamp) {
        if (id == null && timestamp == null) {
            return acceptAmeboSignature
                    ? "no signature: neither webhook-signature nor X-Amebo-Signature is present"
                    : "no signature: webhook-id, webhook-timestamp and webhook-signature are required";
        }
        return "a Standard Webhooks request needs webhook-id, webhook-timestamp and webhook-signature; one is missing";
    }

    private static String header(Function<String, String> headers, String name) {
        String value = headers.apply(name);
        if (value == null && !name.equals(name.toLowerCase(Locale.ROOT))) {
            value = headers.apply(name.toLowerCase(Locale.ROOT));
        }
        return value;
    }

    private static String first(Object value) {
        if (value instanceof Collection<?> values) {
            return values.isEmpty() ? null : String.valueOf(values.iterator().next());
        }
        return value == null ? null : value.toString();
    }

    /** Settings of a {@link WebhookVerifier}: the secrets are required, the rest has defaults. */
    public static final class Builder {

        private final List<String> secrets;
        private Duration tolerance = WebhookSignatures.DEFAULT_TOLERANCE;
        private Clock clock = Clock.systemUTC();
        private boolean acceptAmeboSignature = true;
        private JsonMapper jsonMapper;

        private Builder(List<String> secrets) {
            if (secrets.isEmpty()) {
                throw new IllegalArgumentException("at least one secret is needed to verify");
            }
            this.secrets = List.copyOf(secrets);
        }

        /** How far {@code webhook-timestamp} may be from the clock, either way; 5 minutes by default. */
        public Builder tolerance(Duration tolerance) {
            if (tolerance.isNegative()) {
                throw new IllegalArgumentException("the tolerance cannot be negative");
            }
            this.tolerance = tolerance;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether a request with only {@code X-Amebo-Signature} (no replay protection) is accepted; yes by default. */
        public Builder acceptAmeboSignature(boolean accept) {
            this.acceptAmeboSignature = accept;
            return this;
        }

        /** The Jackson mapper that reads envelopes; Jackson's defaults otherwise. */
        public Builder jsonMapper(JsonMapper jsonMapper) {
            this.jsonMapper = jsonMapper;
            return this;
        }

        public WebhookVerifier build() {
            return new WebhookVerifier(this);
        }
    }
}
