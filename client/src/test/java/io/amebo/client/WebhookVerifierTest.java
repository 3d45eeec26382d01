package io.amebo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amebo.client.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String PLAIN = "email-service-secret";
    private static final byte[] WHSEC_KEY = "a 32-byte key for the whsec test".getBytes(StandardCharsets.UTF_8);
    private static final String WHSEC = "whsec_" + Base64.getEncoder().encodeToString(WHSEC_KEY);
    private static final String ID = "AQABAAAAAAAAAAc";
    private static final byte[] BODY = """
            {"id":"AQABAAAAAAAAAAc","action":"user.created","application":"user-service",\
            "subscription":"welcome-emails","payload":{"user_id":"u1","email":"ada@example.com","name":"Ada"},\
            "timestamped":"2026-03-01T11:59:59.123Z","attempt":2,"deduper":"user-u1-created"}""".getBytes(StandardCharsets.UTF_8);

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void acceptsAStandardWebhooksRequestSignedWithAWhsecSecretAndReadsTheEnvelope() {
        WebhookVerifier verifier = verifier(WHSEC);

        WebhookDelivery delivery = verifier.verify(standard(WHSEC_KEY, ID, NOW.getEpochSecond(), BODY), BODY);

        assertThat(delivery.id()).isEqualTo(ID);
        assertThat(delivery.action()).isEqualTo("user.created");
        assertThat(delivery.application()).isEqualTo("user-service");
        assertThat(delivery.subscription()).isEqualTo("welcome-emails");
        assertThat(delivery.payload().path("email").asString()).isEqualTo("ada@example.com");
        assertThat(delivery.timestamped()).isEqualTo(Instant.parse("2026-03-01T11:59:59.123Z"));
        assertThat(delivery.attempt()).isEqualTo(2);
        assertThat(delivery.deduper()).isEqualTo("user-u1-created");
    }

    @Test
    void acceptsARequestSignedWithAPlainSecretsUtf8Bytes() {
        byte[] key = PLAIN.getBytes(StandardCharsets.UTF_8);

        WebhookDelivery delivery = verifier(PLAIN).verify(standard(key, ID, NOW.getEpochSecond(), BODY), BODY);

        assertThat(delivery.id()).isEqualTo(ID);
    }

    @Test
    void matchesTheStandardWebhooksReferenceSignature() {
        // the test vector of the Standard Webhooks specification's libraries
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of(
                "webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                "webhook-timestamp", "1614265330",
                "webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        WebhookVerifier verifier = WebhookVerifier.builder(List.of(secret))
                .clock(Clock.fixed(Instant.ofEpochSecond(1614265330), ZoneOffset.UTC))
                .build();

        // the signature matches; the body is no Amebo envelope, and that is the only complaint
        assertReason(() -> verifier.verify(headers, body), Reason.MALFORMED_BODY);
        assertReason(
                () -> verifier.verify(headers, "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8)),
                Reason.NO_MATCHING_SIGNATURE);
    }

    @Test
    void refusesATamperedBody() {
        Map<String, String> headers = standard(WHSEC_KEY, ID, NOW.getEpochSecond(), BODY);
        byte[] tampered = new String(BODY, StandardCharsets.UTF_8)
                .replace("ada@example.com", "eve@example.com")
                .getBytes(StandardCharsets.UTF_8);

        assertReason(() -> verifier(WHSEC).verify(headers, tampered), Reason.NO_MATCHING_SIGNATURE);
    }

    @Test
    void refusesASignatureMadeWithAnotherSecret() {
        Map<String, String> headers =
                standard("another-secret-entirely".getBytes(StandardCharsets.UTF_8), ID, NOW.getEpochSecond(), BODY);

        assertReason(() -> verifier(PLAIN).verify(headers, BODY), Reason.NO_MATCHING_SIGNATURE);
    }

    @Test
    void refusesATimestampOutsideTheTolerance() {
        WebhookVerifier verifier = verifier(WHSEC);
        long sixMinutesAgo = NOW.minusSeconds(360).getEpochSecond();
        long sixMinutesAhead = NOW.plusSeconds(360).getEpochSecond();

        assertReason(() -> verifier.verify(standard(WHSEC_KEY, ID, sixMinutesAgo, BODY), BODY), Reason.STALE_TIMESTAMP);
        assertReason(
                () -> verifier.verify(standard(WHSEC_KEY, ID, sixMinutesAhead, BODY), BODY), Reason.STALE_TIMESTAMP);
        assertThat(verifier.verify(standard(WHSEC_KEY, ID, NOW.minusSeconds(290).getEpochSecond(), BODY), BODY))
                .isNotNull();
    }

    @Test
    void takesTheToleranceItIsGiven() {
        WebhookVerifier strict = WebhookVerifier.builder(List.of(WHSEC))
                .clock(clock)
                .tolerance(Duration.ofSeconds(10))
                .build();

        assertReason(
                () -> strict.verify(standard(WHSEC_KEY, ID, NOW.minusSeconds(11).getEpochSecond(), BODY), BODY),
                Reason.STALE_TIMESTAMP);
    }

    @Test
    void refusesATimestampThatIsNoNumber() {
        Map<String, String> headers = new HashMap<>(standard(WHSEC_KEY, ID, NOW.getEpochSecond(), BODY));
        headers.put("webhook-timestamp", "yesterday");

        assertReason(() -> verifier(WHSEC).verify(headers, BODY), Reason.MALFORMED_TIMESTAMP);
    }

    @Test
    void acceptsTheOldAndTheNewSecretDuringARotation() {
        WebhookVerifier rotating = verifier(WHSEC, PLAIN);
        byte[] oldKey = PLAIN.getBytes(StandardCharsets.UTF_8);

        // signed with the old secret only (a delivery made before Amebo learnt the new one)
        assertThat(rotating.verify(standard(oldKey, ID, NOW.getEpochSecond(), BODY), BODY))
                .isNotNull();
        // signed with both, as Amebo does during the grace period, checked by a receiver that has the new one only
        String both =
                sign(WHSEC_KEY, ID, NOW.getEpochSecond(), BODY) + " " + sign(oldKey, ID, NOW.getEpochSecond(), BODY);
        Map<String, String> headers = Map.of(
                "webhook-id", ID, "webhook-timestamp", Long.toString(NOW.getEpochSecond()), "webhook-signature", both);
        assertThat(verifier(WHSEC).verify(headers, BODY)).isNotNull();
        // and a receiver that dropped the old secret refuses what only the old one signed
        assertReason(
                () -> verifier(WHSEC).verify(standard(oldKey, ID, NOW.getEpochSecond(), BODY), BODY),
                Reason.NO_MATCHING_SIGNATURE);
    }

    @Test
    void fallsBackToXAmeboSignatureWhenTheStandardHeadersAreAbsent() {
        Map<String, String> headers = Map.of("X-Amebo-Signature", "sha256=" + hex(WHSEC_KEY, BODY));

        WebhookDelivery delivery = verifier(WHSEC).verify(headers, BODY);

        assertThat(delivery.id()).isEqualTo(ID);
        byte[] tampered = "{\"id\":\"other\"}".getBytes(StandardCharsets.UTF_8);
        assertReason(() -> verifier(WHSEC).verify(headers, tampered), Reason.NO_MATCHING_SIGNATURE);
    }

    @Test
    void acceptsAnyOfSeveralAmeboSignatures() {
        byte[] oldKey = PLAIN.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers =
                Map.of("X-Amebo-Signature", "sha256=" + hex(WHSEC_KEY, BODY) + ", sha256=" + hex(oldKey, BODY));

        assertThat(verifier(PLAIN).verify(headers, BODY)).isNotNull();
    }

    @Test
    void canRefuseRequestsWithoutReplayProtection() {
        WebhookVerifier strict = WebhookVerifier.builder(List.of(WHSEC))
                .clock(clock)
                .acceptAmeboSignature(false)
                .build();
        Map<String, String> headers = Map.of("X-Amebo-Signature", "sha256=" + hex(WHSEC_KEY, BODY));

        assertReason(() -> strict.verify(headers, BODY), Reason.MISSING_HEADER);
    }

    @Test
    void doesNotFallBackWhenAStandardRequestIsIncomplete() {
        // a valid X-Amebo-Signature does not excuse a Standard Webhooks request missing its timestamp
        Map<String, String> headers = Map.of(
                "webhook-id",
                ID,
                "webhook-signature",
                sign(WHSEC_KEY, ID, NOW.getEpochSecond(), BODY),
                "X-Amebo-Signature",
                "sha256=" + hex(WHSEC_KEY, BODY));

        assertReason(() -> verifier(WHSEC).verify(headers, BODY), Reason.MISSING_HEADER);
    }

    @Test
    void doesNotFallBackWhenOnlyTheStandardSignatureIsMissing() {
        Map<String, String> headers = Map.of(
                "webhook-id",
                ID,
                "webhook-timestamp",
                Long.toString(NOW.getEpochSecond()),
                "X-Amebo-Signature",
                "sha256=" + hex(WHSEC_KEY, BODY));

        assertReason(() -> verifier(WHSEC).verify(headers, BODY), Reason.MISSING_HEADER);
    }

    @Test
    void refusesARequestWithNoSignatureAtAll() {
        assertReason(
                () -> verifier(WHSEC).verify(Map.of("Content-Type", "application/json"), BODY), Reason.MISSING_HEADER);
    }

    @Test
    void findsHeadersWhateverTheirCaseAndWhicheverShapeTheFrameworkGives() {
        Map<String, String> standard = standard(WHSEC_KEY, ID, NOW.getEpochSecond(), BODY);
        Map<String, List<String>> multi = Map.of(
                "Webhook-Id", List.of(standard.get("webhook-id")),
                "WEBHOOK-TIMESTAMP", List.of(standard.get("webhook-timestamp")),
                "Webhook-Signature", List.of(standard.get("webhook-signature")));
        Map<String, String> upperCase = new HashMap<>();
        upperCase.put(null, "HTTP/1.1 200 OK"); // as HttpURLConnection's header map has it
        upperCase.put("x-amebo-signature", "sha256=" + hex(WHSEC_KEY, BODY));

        assertThat(verifier(WHSEC).verify(multi, BODY).id()).isEqualTo(ID);
        assertThat(verifier(WHSEC).verify(upperCase, BODY).id()).isEqualTo(ID);
        // a lookup function that only knows lower-case names, as some frameworks store them
        assertThat(verifier(WHSEC)
                        .verify(
                                name -> Map.of("x-amebo-signature", "sha256=" + hex(WHSEC_KEY, BODY))
                                        .get(name),
                                BODY)
                        .id())
                .isEqualTo(ID);
    }

    @Test
    void aVerifiedBodyThatIsNoEnvelopeIsReportedAsSuch() {
        byte[] body = "[1,2,3]".getBytes(StandardCharsets.UTF_8);

        assertReason(
                () -> verifier(WHSEC).verify(standard(WHSEC_KEY, ID, NOW.getEpochSecond(), body), body),
                Reason.MALFORMED_BODY);
        assertReason(() -> verifier(WHSEC).parse("not json".getBytes(StandardCharsets.UTF_8)), Reason.MALFORMED_BODY);
    }

    @Test
    void needsASecret() {
        assertThatThrownBy(WebhookVerifier::of).isInstanceOf(IllegalArgumentException.class);
    }

    private WebhookVerifier verifier(String... secrets) {
        return WebhookVerifier.builder(List.of(secrets)).clock(clock).build();
    }

    private static void assertReason(ThrowingCallable call, Reason reason) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        WebhookVerificationException.class,
                        e -> assertThat(e.reason()).isEqualTo(reason));
    }

    /** Standard Webhooks headers, signed here with the JDK's HMAC, not with the code under test. */
    private static Map<String, String> standard(byte[] key, String id, long timestamp, byte[] body) {
        return Map.of(
                "webhook-id", id,
                "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", sign(key, id, timestamp, body));
    }

    private static String sign(byte[] key, String id, long timestamp, byte[] body) {
        byte[] signed = (id + "." + timestamp + "." + new String(body, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        return "v1," + Base64.getEncoder().encodeToString(hmac(key, signed));
    }

    private static String hex(byte[] key, byte[] body) {
        return HexFormat.of().formatHex(hmac(key, body));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
