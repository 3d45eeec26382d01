package io.amebo.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretCipherTest {

    private final SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.generateKey());

    @Test
    void sealsSoThatOnlyTheSameMasterKeyOpens() {
        String sealed = cipher.seal("user-service-secret");

        assertThat(sealed).startsWith("v1.").doesNotContain("user-service-secret");
        assertThat(cipher.open(sealed)).isEqualTo("user-service-secret");
        assertThatThrownBy(() ->
                        SecretCipher.fromBase64(SecretCipher.generateKey()).open(sealed))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sealsTheSameSecretDifferentlyEachTime() {
        assertThat(cipher.seal("same-secret-0123456")).isNotEqualTo(cipher.seal("same-secret-0123456"));
    }

    @Test
    void detectsTampering() {
        String sealed = cipher.seal("user-service-secret");
        // a character in the middle (the last one may only carry padding bits that decoding ignores)
        int at = sealed.length() / 2;
        char original = sealed.charAt(at);
        String tampered = sealed.substring(0, at) + (original == 'A' ? 'B' : 'A') + sealed.substring(at + 1);

        assertThatThrownBy(() -> cipher.open(tampered)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesUnusableMasterKeysWithAReason() {
        assertThatThrownBy(() -> SecretCipher.fromBase64("")).hasMessageContaining("missing");
        assertThatThrownBy(() -> SecretCipher.fromBase64("not base64 !!")).hasMessageContaining("base64");
        assertThatThrownBy(() -> SecretCipher.fromBase64("c2hvcnQ=")).hasMessageContaining("32 bytes");
    }
}
