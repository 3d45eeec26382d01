package io.amebo.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretCipherTest {

    private final SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.generateKey());

    @Test
    void sealsSoThatOnlyTheSameMasterKeyOpens() {
        String sealed = cipher.seal("user-service-secret", "user-service");

        assertThat(sealed).startsWith("v2.").doesNotContain("user-service-secret");
        assertThat(cipher.open(sealed, "user-service")).isEqualTo("user-service-secret");
        assertThatThrownBy(() ->
                        SecretCipher.fromBase64(SecretCipher.generateKey()).open(sealed, "user-service"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSealedSecretOpensOnlyForItsOwnApplication() {
        String sealed = cipher.seal("user-service-secret", "user-service");

        // copied into another application's record (in the database or on the changelog), it does not open
        assertThatThrownBy(() -> cipher.open(sealed, "thief-service")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRememberedOpeningIsStillBoundToItsApplication() {
        String sealed = cipher.seal("user-service-secret", "user-service");
        assertThat(cipher.openRemembered(sealed, "user-service").secret()).isEqualTo("user-service-secret");
        assertThat(cipher.openRemembered(sealed, "user-service").generation())
                .isEqualTo(Credential.generationOf(sealed));

        assertThatThrownBy(() -> cipher.openRemembered(sealed, "thief-service"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secretsSealedBeforeTheyWereBoundStillOpen() {
        SecretCipher known = SecretCipher.fromBase64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        String legacy = "v1.pNv41XRefSy62uhBp_CpPYvBxouH1g6RTH5wEUix_1Jn8v3TAN2wslvTnqPw5kIgT3QQ8w";

        assertThat(SecretCipher.isUnbound(legacy)).isTrue();
        assertThat(known.open(legacy, "any-service")).isEqualTo("legacy-secret-0123456789");
        assertThat(SecretCipher.isUnbound(known.seal("x-secret-0123456789", "x")))
                .isFalse();
    }

    @Test
    void sealsTheSameSecretDifferentlyEachTime() {
        assertThat(cipher.seal("same-secret-0123456", "a")).isNotEqualTo(cipher.seal("same-secret-0123456", "a"));
    }

    @Test
    void detectsTampering() {
        String sealed = cipher.seal("user-service-secret", "user-service");
        // a character in the middle (the last one may only carry padding bits that decoding ignores)
        int at = sealed.length() / 2;
        char original = sealed.charAt(at);
        String tampered = sealed.substring(0, at) + (original == 'A' ? 'B' : 'A') + sealed.substring(at + 1);

        assertThatThrownBy(() -> cipher.open(tampered, "user-service")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesUnusableMasterKeysWithAReason() {
        assertThatThrownBy(() -> SecretCipher.fromBase64("")).hasMessageContaining("missing");
        assertThatThrownBy(() -> SecretCipher.fromBase64("not base64 !!")).hasMessageContaining("base64");
        assertThatThrownBy(() -> SecretCipher.fromBase64("c2hvcnQ=")).hasMessageContaining("32 bytes");
    }
}
