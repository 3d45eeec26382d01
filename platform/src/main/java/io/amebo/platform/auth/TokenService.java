package io.amebo.platform.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * Issues and verifies the applications' bearer tokens: HS256 JWTs with an expiry and the generation of the secret
 * they were minted from, so that a token stops working when its secret does (DESIGN §4.1). Thread-safe.
 */
public final class TokenService {

    static final String ISSUER = "amebo";
    static final String GENERATION = "gen";

    private final MACSigner signer;
    private final MACVerifier verifier;
    private final Duration lifetime;
    private final Clock clock;

    public TokenService(byte[] key, Duration lifetime, Clock clock) {
        try {
            this.signer = new MACSigner(key);
            this.verifier = new MACVerifier(key);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the token key must be at least 256 bits", e);
        }
        this.lifetime = lifetime;
        this.clock = clock;
    }

    public record Issued(String token, long expiresInSeconds) {}

    /** A verified token: the application it was issued to and the generation of the secret it was minted from. */
    public record Subject(String application, String generation) {}

    public Issued issue(String application, String generation) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(application)
                .claim(GENERATION, generation)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a token", e);
        }
        return new Issued(jwt.serialize(), lifetime.toSeconds());
    }

    /**
     * Whom a token was issued to, when it is ours, intact, unexpired and carries a secret generation. A token found
     * good is remembered with its expiry (parsing and the HMAC showed in profiles of publishing), and its expiry is
     * checked again on every use; whether its secret still lives is the caller's check, every time. At most
     * {@value #MEMO_SIZE} tokens are kept (all are forgotten past that).
     */
    public Optional<Subject> verify(String token) {
        Verified known = memo.get(token);
        if (known != null) {
            return known.expiry().isAfter(clock.instant()) ? Optional.of(known.subject()) : Optional.empty();
        }
        Optional<Verified> verified = parse(token);
        verified.ifPresent(v -> {
            if (memo.size() >= MEMO_SIZE) {
                memo.clear();
            }
            memo.put(token, v);
        });
        return verified.map(Verified::subject);
    }

    private record Verified(Subject subject, Instant expiry) {}

    private static final int MEMO_SIZE = 10_000;
    private final java.util.Map<String, Verified> memo = new java.util.concurrent.ConcurrentHashMap<>();

    private Optional<Verified> parse(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expiry = claims.getExpirationTime();
            Object generation = claims.getClaim(GENERATION);
            if (!ISSUER.equals(claims.getIssuer())
                    || expiry == null
                    || !expiry.toInstant().isAfter(clock.instant())
                    || claims.getSubject() == null
                    || !(generation instanceof String)) {
                return Optional.empty();
            }
            return Optional.of(new Verified(new Subject(claims.getSubject(), (String) generation), expiry.toInstant()));
        } catch (ParseException | JOSEException e) {
            return Optional.empty();
        }
    }
}
