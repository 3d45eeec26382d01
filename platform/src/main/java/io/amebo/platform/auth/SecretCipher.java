package io.amebo.platform.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts application secrets at rest and on the registry changelog. Secrets sign webhooks, so they must be
 * recoverable and cannot be one-way hashed; they are sealed with AES-256-GCM under the configured master key
 * instead. Sealed form: {@code v2.<base64url(nonce(12) | ciphertext | tag(16))>}, with the application's name as
 * authenticated data, so a sealed secret copied into another application's record does not open there. Secrets
 * sealed before that ({@code v1.}, no authenticated data) still open, for any application; the registry re-seals
 * them at startup. Thread-safe.
 */
public final class SecretCipher {

    private static final String BOUND = "v2.";
    private static final String UNBOUND = "v1.";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final byte[] master;
    private final SecureRandom random = new SecureRandom();
    private static final int MEMO_SIZE = 10_000;
    private final java.util.Map<String, Opened> memo = new java.util.concurrent.ConcurrentHashMap<>();

    private SecretCipher(byte[] master) {
        this.master = master.clone();
        this.key = new SecretKeySpec(derive(master, "amebo secret encryption v1"), "AES");
    }

    /**
     * @param masterKey base64 (standard or URL-safe) of at least 32 random bytes
     * @throws IllegalArgumentException when the key is not base64 or too short, with a message that says so
     */
    public static SecretCipher fromBase64(String masterKey) {
        if (masterKey == null || masterKey.isBlank()) {
            throw new IllegalArgumentException("the master key is missing");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder()
                    .decode(masterKey.trim().replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the master key is not base64");
        }
        if (bytes.length < 32) {
            throw new IllegalArgumentException("the master key must be at least 32 bytes, was " + bytes.length);
        }
        return new SecretCipher(bytes);
    }

    /** A fresh random master key in the form {@link #fromBase64} takes. */
    public static String generateKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Seals {@code application}'s secret: it opens only for {@code application}. */
    public String seal(String secret, String application) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(application.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(NONCE_BYTES + sealed.length)
                    .put(nonce)
                    .put(sealed)
                    .array();
            return BOUND + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /** Whether {@code sealed} was sealed before secrets were bound to their application. */
    public static boolean isUnbound(String sealed) {
        return sealed != null && sealed.startsWith(UNBOUND);
    }

    /**
     * Opens {@code application}'s sealed secret.
     *
     * @throws IllegalArgumentException when the text was not sealed by this master key for this application (wrong
     *     key, another application's secret, or tampered)
     */
    public String open(String sealed, String application) {
        boolean bound = sealed != null && sealed.startsWith(BOUND);
        if (!bound && !isUnbound(sealed)) {
            throw new IllegalArgumentException("not a sealed secret");
        }
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(sealed.substring(BOUND.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            if (bound) {
                cipher.updateAAD(application.getBytes(StandardCharsets.UTF_8));
            }
            byte[] plain = cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the secret cannot be opened with this master key", e);
        }
    }

    /** A secret opened, with the generation of its sealed form. */
    public record Opened(String secret, String generation) {}

    /**
     * {@link #open} and {@link Credential#generationOf}, remembered: both are functions of the sealed form, the
     * application and the master key alone, so a remembered answer is never stale (a rotation seals a new form).
     * Every authenticated request needs them; AES-GCM and SHA-256 per request showed in profiles. At most
     * {@value #MEMO_SIZE} forms are kept (all are forgotten past that).
     */
    public Opened openRemembered(String sealed, String application) {
        String key = application + '\n' + sealed;
        Opened opened = memo.get(key);
        if (opened == null) {
            opened = new Opened(open(sealed, application), Credential.generationOf(sealed));
            if (memo.size() >= MEMO_SIZE) {
                memo.clear();
            }
            memo.put(key, opened);
        }
        return opened;
    }

    /** A key for another purpose (e.g. signing tokens), derived from the master key so ops manage one key. */
    public byte[] deriveKey(String purpose) {
        return derive(master, purpose);
    }

    private static byte[] derive(byte[] master, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(master, "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }
}
