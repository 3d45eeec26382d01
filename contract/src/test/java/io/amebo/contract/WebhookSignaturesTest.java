package io.amebo.contract;

import static io.amebo.contract.WebhookSignatures.Verification.MALFORMED_TIMESTAMP;
import static io.amebo.contract.WebhookSignatures.Verification.MISSING_HEADER;
import static io.amebo.contract.WebhookSignatures.Verification.NO_MATCHING_SIGNATURE;
import static io.amebo.contract.WebhookSignatures.Verification.STALE_TIMESTAMP;
import static io.amebo.contract.WebhookSignatures.Verification.VALID;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WebhookSignaturesTest {

    // The Standard Webhooks specification's published test vector.
    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long SPEC_TIMESTAMP = 1614265330;
    private static final byte[] SPEC_BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static final Instant SPEC_NOW = Instant.ofEpochSecond(SPEC_TIMESTAMP);
    private static final Duration TOLERANCE = WebhookSignatures.DEFAULT_TOLERANCE;

    private final WebhookSignatures spec = WebhookSignatures.of(SPEC_SECRET);

    @Test
    void signsTheSpecificationTestVector() {
        assertThat(spec.standard(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)).isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void acceptsTheSpecificationTestVector() {
        assertThat(spec.verifyStandard(
                        SPEC_ID, String.valueOf(SPEC_TIMESTAMP), SPEC_SIGNATURE, SPEC_BODY, SPEC_NOW, TOLERANCE))
                .isEqualTo(VALID);
    }

    @Test
    void acceptsWhenAnyOfSeveralPresentedSignaturesMatches() {
        String header = "v1,bm9wZQ== v2,whatever " + SPEC_SIGNATURE;

        assertThat(spec.verifyStandard(SPEC_ID, String.valueOf(SPEC_TIMESTAMP), header, SPEC_BODY, SPEC_NOW, TOLERANCE))
                .isEqualTo(VALID);
    }

    @Test
    void rejectsATamperedBody() {
        byte[] tampered = "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8);

        assertThat(spec.verifyStandard(
                        SPEC_ID, String.valueOf(SPEC_TIMESTAMP), SPEC_SIGNATURE, tampered, SPEC_NOW, TOLERANCE))
                .isEqualTo(NO_MATCHING_SIGNATURE);
        assertThat(spec.verifyAmebo(spec.amebo(SPEC_BODY), tampered)).isEqualTo(NO_MATCHING_SIGNATURE);
    }

    @Test
    void rejectsATamperedIdOrTimestamp() {
        assertThat(spec.verifyStandard(
                        "msg_other", String.valueOf(SPEC_TIMESTAMP), SPEC_SIGNATURE, SPEC_BODY, SPEC_NOW, TOLERANCE))
                .isEqualTo(NO_MATCHING_SIGNATURE);
        assertThat(spec.verifyStandard(
                        SPEC_ID, String.valueOf(SPEC_TIMESTAMP + 1), SPEC_SIGNATURE, SPEC_BODY, SPEC_NOW, TOLERANCE))
                .isEqualTo(NO_MATCHING_SIGNATURE);
    }

    @Test
    void rejectsTheWrongSecret() {
        WebhookSignatures other = WebhookSignatures.of("whsec_" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

        assertThat(other.verifyStandard(
                        SPEC_ID, String.valueOf(SPEC_TIMESTAMP), SPEC_SIGNATURE, SPEC_BODY, SPEC_NOW, TOLERANCE))
                .isEqualTo(NO_MATCHING_SIGNATURE);
        assertThat(other.verifyAmebo(spec.amebo(SPEC_BODY), SPEC_BODY)).isEqualTo(NO_MATCHING_SIGNATURE);
    }

    @Test
    void rejectsAStaleOrFutureTimestamp() {
        Instant later = SPEC_NOW.plus(TOLERANCE).plusSeconds(1);
        Instant earlier = SPEC_NOW.minus(TOLERANCE).minusSeconds(1);

        assertThat(spec.verifyStandard(
                        SPEC_ID, String.valueOf(SPEC_TIMESTAMP), SPEC_SIGNATURE, SPEC_BODY, later, TOLERANCE))
                .isEqualTo(STALE_TIMESTAMP);
        assertThat(spec.verifyStandard(
                        SPEC_ID, String.valueOf(SPEC_TIMESTAMP), SPEC_SIGNATURE, SPEC_BODY, earlier, TOLERANCE))
                .isEqualTo(STALE_TIMESTAMP);
        assertThat(spec.verifyStandard(
                        SPEC_ID,
                        String.valueOf(SPEC_TIMESTAMP),
                        SPEC_SIGNATURE,
                        SPEC_BODY,
                        SPEC_NOW.plus(TOLERANCE),
                        TOLERANCE))
                .isEqualTo(VALID);
    }

    @Test
    void reportsMissingAndMalformedHeaders() {
        assertThat(spec.verifyStandard(SPEC_ID, null, SPEC_SIGNATURE, SPEC_BODY, SPEC_NOW, TOLERANCE))
                .isEqualTo(MISSING_HEADER);
        assertThat(spec.verifyStandard(SPEC_ID, "yesterday", SPEC_SIGNATURE, SPEC_BODY, SPEC_NOW, TOLERANCE))
                .isEqualTo(MALFORMED_TIMESTAMP);
        assertThat(spec.verifyStandard(
                        SPEC_ID, String.valueOf(SPEC_TIMESTAMP), "v1,!!!", SPEC_BODY, SPEC_NOW, TOLERANCE))
                .isEqualTo(NO_MATCHING_SIGNATURE);
        assertThat(spec.verifyAmebo(null, SPEC_BODY)).isEqualTo(MISSING_HEADER);
    }

    @Test
    void usesThePlainSecretBytesWhenTheSecretIsNotWhsec() {
        // HMAC-SHA256("user-service-secret", "hello"), computed independently with openssl.
        WebhookSignatures plain = WebhookSignatures.of("user-service-secret");

        assertThat(plain.amebo("hello".getBytes(StandardCharsets.UTF_8))).isEqualTo("sha256=" + OPENSSL_HMAC_OF_HELLO);
    }

    @Test
    void signsWithBothSecretsDuringARotationAndEitherVerifies() {
        WebhookSignatures rotating = WebhookSignatures.of("new-secret-0123456789", "old-secret-0123456789");
        WebhookSignatures newOnly = WebhookSignatures.of("new-secret-0123456789");
        WebhookSignatures oldOnly = WebhookSignatures.of("old-secret-0123456789");
        long now = 1_800_000_000L;
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

        String standard = rotating.standard("id-1", now, body);
        String amebo = rotating.amebo(body);

        assertThat(standard.split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        assertThat(amebo.split(", ")).hasSize(2).allMatch(s -> s.startsWith("sha256="));
        for (WebhookSignatures receiver : new WebhookSignatures[] {newOnly, oldOnly}) {
            assertThat(receiver.verifyStandard(
                            "id-1", String.valueOf(now), standard, body, Instant.ofEpochSecond(now), TOLERANCE))
                    .isEqualTo(VALID);
            assertThat(receiver.verifyAmebo(amebo, body)).isEqualTo(VALID);
        }
    }

    private static final String OPENSSL_HMAC_OF_HELLO =
            "b1e2d1a59279877dd16723428f203e41e86476605a50d54a34364468dedebc7c";
}
