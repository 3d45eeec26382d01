package io.amebo.platform.auth;

import io.amebo.platform.web.ProblemException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * Turns an {@code Authorization} header into a {@link Principal} (DESIGN §4.1): {@code Bearer <admin token>},
 * {@code Bearer <application token>}, or {@code Basic base64(application:secret)}. Secrets and tokens are compared
 * in constant time; a failure never says which part was wrong.
 */
public final class Authenticator {

    private static final String BEARER = "bearer ";
    private static final String BASIC = "basic ";

    private final byte[] adminToken;
    private final TokenService tokens;
    private final ApplicationSecrets secrets;
    private final LoginThrottle throttle;

    public Authenticator(String adminToken, TokenService tokens, ApplicationSecrets secrets, LoginThrottle throttle) {
        this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
        this.tokens = tokens;
        this.secrets = secrets;
        this.throttle = throttle;
    }

    /** The principal, or a 401 problem. */
    public Mono<Principal> authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Mono.error(ProblemException.unauthorized(
                    "authentication is required: send Authorization: Bearer <token> or Basic <application:secret>"));
        }
        String lower = authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? BEARER
                : authorization.regionMatches(true, 0, BASIC, 0, BASIC.length()) ? BASIC : "";
        String credentials = authorization.substring(lower.length()).trim();
        return switch (lower) {
            case BEARER -> bearer(credentials);
            case BASIC -> basic(credentials);
            default -> Mono.error(ProblemException.unauthorized("unsupported authorization scheme"));
        };
    }

    /**
     * Which of {@code application}'s usable secrets {@code secret} is, if any. A wrong one is counted: past the
     * {@link LoginThrottle}'s limit the application's logins answer 429 for a while, right secret or not.
     */
    public Mono<Optional<Credential>> checkSecret(String application, String secret) {
        if (throttle.locked(application)) {
            return Mono.error(ProblemException.tooManyRequests(
                    "too many wrong secrets for " + application + "; try again in "
                            + throttle.window().toSeconds() + " s",
                    throttle.window()));
        }
        byte[] presented = secret.getBytes(StandardCharsets.UTF_8);
        return secrets.secretsOf(application).map(known -> {
            Optional<Credential> match = matching(known, presented);
            if (match.isEmpty()) {
                throttle.failed(application);
            }
            return match;
        });
    }

    /** Counts a token issued to {@code application}; past the limit, a 429 problem saying when to come back. */
    public void countToken(String application) {
        if (!throttle.mayIssueToken(application)) {
            throw ProblemException.tooManyRequests(
                    "too many tokens issued to " + application + " just now; try again in "
                            + throttle.window().toSeconds() + " s",
                    throttle.window());
        }
    }

    private Mono<Principal> bearer(String token) {
        if (MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8))) {
            return Mono.just(new Principal.Admin());
        }
        return tokens.verify(token)
                .map(subject -> secrets.secretsOf(subject.application())
                        // a token dies with the secret it was minted from: rotated out past its grace, or deleted
                        .flatMap(known -> Mono.justOrEmpty(known.stream()
                                .filter(c -> c.generation().equals(subject.generation()))
                                .findFirst()))
                        .<Principal>map(
                                credential -> new Principal.Application(subject.application(), credential.current())))
                .orElse(Mono.empty())
                .switchIfEmpty(Mono.error(() -> ProblemException.unauthorized("the token is invalid or expired")));
    }

    private Mono<Principal> basic(String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Mono.error(ProblemException.unauthorized("malformed Basic credentials"));
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Mono.error(ProblemException.unauthorized("malformed Basic credentials"));
        }
        String application = decoded.substring(0, colon);
        return checkSecret(application, decoded.substring(colon + 1))
                .flatMap(Mono::justOrEmpty)
                .<Principal>map(credential -> new Principal.Application(application, credential.current()))
                .switchIfEmpty(Mono.error(() -> ProblemException.unauthorized("wrong application or secret")));
    }

    /** Compares against every secret, in constant time each, whether or not one matched before. */
    private static Optional<Credential> matching(List<Credential> known, byte[] presented) {
        Credential match = null;
        for (Credential credential : known) {
            if (MessageDigest.isEqual(credential.secret().getBytes(StandardCharsets.UTF_8), presented)
                    && match == null) {
                match = credential;
            }
        }
        return Optional.ofNullable(match);
    }
}
