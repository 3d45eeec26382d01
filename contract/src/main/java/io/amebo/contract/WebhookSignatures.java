package io.amebo.contract;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies webhook deliveries (DESIGN §5).
 *
 * <ul>
 *   <li>Standard Webhooks: {@code webhook-signature: v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>},
 *       space-separated when several keys sign;
 *   <li>Amebo: {@code X-Amebo-Signature: sha256=<hex HMAC-SHA256(key, body)>}, comma-separated when several keys sign.
 * </ul>
 *
 * The key is the subscribing application's secret: its UTF-8 bytes, or for a secret of the form
 * {@code whsec_<base64>} the decoded bytes, as Standard Webhooks libraries do. During a rotation the instance holds
 * the new secret first and the old one after it, and every signature header carries one signature per secret.
 * Instances are immutable and thread-safe.
 */
public final class WebhookSignatures {

    /** How far a {@code webhook-timestamp} may be from the verifier's clock; the Standard Webhooks default. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private static final String ALGORITHM = "HmacSHA256";
    private static final String SECRET_PREFIX = "whsec_";
    private static final String V1 = "v1,";
    private static final String SHA256 = "sha256=";

    private final List<Mac> keys;

    private WebhookSignatures(List<Mac> keys) {
        this.keys = keys;
    }

    /** Signs with every secret given, the current one first. */
    public static WebhookSignatures of(String... secrets) {
        return of(List.of(secrets));
    }

    public static WebhookSignatures of(List<String> secrets) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret is needed to sign");
        }
        List<Mac> keys = new ArrayList<>(secrets.size());
        for (String secret : secrets) {
            keys.add(mac(keyBytes(Objects.requireNonNull(secret, "secret"))));
        }
        return new WebhookSignatures(List.copyOf(keys));
    }

    /** The {@code webhook-signature} header value for one attempt. */
    public String standard(String id, long timestampSeconds, byte[] body) {
        byte[] prefix = (id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder();
        for (Mac key : keys) {
            Mac mac = copy(key);
            mac.update(prefix);
            byte[] signature = mac.doFinal(body);
            if (!header.isEmpty()) {
                header.append(' ');
            }
            header.append(V1).append(Base64.getEncoder().encodeToString(signature));
        }
        return header.toString();
    }

    /** The {@code X-Amebo-Signature} header value. */
    public String amebo(byte[] body) {
        StringBuilder header = new StringBuilder();
        for (Mac key : keys) {
            if (!header.isEmpty()) {
                header.append(", ");
            }
            header.append(SHA256).append(HexFormat.of().formatHex(copy(key).doFinal(body)));
        }
        return header.toString();
    }

    /** What a verification found. Only {@link #VALID} means the request came from the holder of a secret. */
    public enum Verification {
        VALID,
        MISSING_HEADER,
        MALFORMED_TIMESTAMP,
        STALE_TIMESTAMP,
        NO_MATCHING_SIGNATURE
    }

    /**
     * Verifies a Standard Webhooks request the way a receiver does: the timestamp must be within {@code tolerance}
     * of {@code now}, and one {@code v1} signature in the header must match one of this instance's secrets.
     */
    public Verification verifyStandard(
            String id, String timestamp, String signatureHeader, byte[] body, Instant now, Duration tolerance) {
        if (id == null || timestamp == null || signatureHeader == null) {
            return Verification.MISSING_HEADER;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return Verification.MALFORMED_TIMESTAMP;
        }
        if (Math.abs(now.getEpochSecond() - seconds) > tolerance.toSeconds()) {
            return Verification.STALE_TIMESTAMP;
        }
        List<byte[]> expected = decodeAll(standard(id, seconds, body), " ", V1, Base64.getDecoder()::decode);
        List<byte[]> presented = decodeAll(signatureHeader, " ", V1, Base64.getDecoder()::decode);
        return anyMatch(expected, presented) ? Verification.VALID : Verification.NO_MATCHING_SIGNATURE;
    }

    /** Verifies an {@code X-Amebo-Signature} header against the body. */
    public Verification verifyAmebo(String signatureHeader, byte[] body) {
        if (signatureHeader == null) {
            return Verification.MISSING_HEADER;
        }
        List<byte[]> expected = decodeAll(amebo(body), ",", SHA256, HexFormat.of()::parseHex);
        List<byte[]> presented = decodeAll(signatureHeader, ",", SHA256, HexFormat.of()::parseHex);
        return anyMatch(expected, presented) ? Verification.VALID : Verification.NO_MATCHING_SIGNATURE;
    }

    private static List<byte[]> decodeAll(
            String header, String separator, String scheme, Function<String, byte[]> decoder) {
        List<byte[]> signatures = new ArrayList<>();
        for (String part : header.split(separator)) {
            String token = part.trim();
            if (!token.startsWith(scheme)) {
                continue; // other versions or schemes are not ours to judge
            }
            try {
                signatures.add(decoder.apply(token.substring(scheme.length())));
            } catch (IllegalArgumentException e) {
                // a signature that does not decode matches nothing
            }
        }
        return signatures;
    }

    private static boolean anyMatch(List<byte[]> expected, List<byte[]> presented) {
        boolean match = false;
        for (byte[] e : expected) {
            for (byte[] p : presented) {
                match |= MessageDigest.isEqual(e, p); // constant time, and no early exit
            }
        }
        return match;
    }

    static byte[] keyBytes(String secret) {
        if (secret.startsWith(SECRET_PREFIX)) {
            try {
                byte[] decoded = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
                if (decoded.length > 0) {
                    return decoded;
                }
            } catch (IllegalArgumentException e) {
                // not base64 after all: the whole string is the key, as for any other secret
            }
        }
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }

    private static Mac copy(Mac key) {
        try {
            return (Mac) key.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JVM's HMAC-SHA256 cannot be cloned", e);
        }
    }
}
