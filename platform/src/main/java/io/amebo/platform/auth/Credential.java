package io.amebo.platform.auth;

import io.amebo.contract.registry.ApplicationState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * One secret an application may authenticate with right now (DESIGN §4.1): its plain text, its generation (a
 * fingerprint of its sealed form, which tokens carry, so they die with the secret they were minted from; it says
 * nothing about the secret itself), and whether it is the current secret or a rotated-out one in its grace period.
 */
public record Credential(String secret, String generation, boolean current) {

    /** The usable credentials of {@code app} at {@code now}: the current one first. */
    public static List<Credential> of(ApplicationState app, SecretCipher cipher, Instant now) {
        return app.secrets().stream()
                .filter(s -> s.until() == null || s.until().isAfter(now))
                .map(s -> {
                    SecretCipher.Opened opened = cipher.openRemembered(s.sealed(), app.application());
                    return new Credential(opened.secret(), opened.generation(), s.until() == null);
                })
                .toList();
    }

    /** The generation of a sealed secret: 96 bits of its SHA-256, base64url. */
    public static String generationOf(String sealed) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(sealed.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
