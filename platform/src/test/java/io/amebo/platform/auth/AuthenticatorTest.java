package io.amebo.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amebo.platform.web.ProblemException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class AuthenticatorTest {

    private static final String ADMIN = "admin-token-0123456789";
    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final TokenService tokens = new TokenService(new byte[32], Duration.ofHours(1), clock);
    private static final Credential CURRENT = new Credential("new-secret-0123456789", "gen-new", true);
    private static final Credential PREVIOUS = new Credential("old-secret-0123456789", "gen-old", false);
    private final Map<String, List<Credential>> secrets = new java.util.concurrent.ConcurrentHashMap<>(Map.of(
            "user-service",
            List.of(CURRENT, PREVIOUS),
            "other-service",
            List.of(new Credential("other-secret-0123456789", "gen-other", true))));
    private final Authenticator authenticator =
            new Authenticator(ADMIN, tokens, this::secretsOf, new LoginThrottle(3, 2, Duration.ofMinutes(1)));

    private Mono<List<Credential>> secretsOf(String application) {
        return Mono.just(secrets.getOrDefault(application, List.of()));
    }

    @Test
    void recognisesTheAdminToken() {
        StepVerifier.create(authenticator.authenticate("Bearer " + ADMIN))
                .expectNext(new Principal.Admin())
                .verifyComplete();
    }

    @Test
    void acceptsBasicWithTheCurrentOrTheRotatedOutSecretAndTellsThemApart() {
        StepVerifier.create(authenticator.authenticate(basic("user-service", "new-secret-0123456789")))
                .expectNext(new Principal.Application("user-service", true))
                .verifyComplete();
        StepVerifier.create(authenticator.authenticate(basic("user-service", "old-secret-0123456789")))
                .expectNext(new Principal.Application("user-service", false))
                .verifyComplete();
    }

    @Test
    void aTokenDiesWithTheSecretItWasMintedFrom() {
        String fromOld = tokens.issue("user-service", "gen-old").token();
        String fromNew = tokens.issue("user-service", "gen-new").token();
        StepVerifier.create(authenticator.authenticate("Bearer " + fromOld))
                .expectNext(new Principal.Application("user-service", false))
                .verifyComplete();

        secrets.put("user-service", List.of(CURRENT)); // the rotated-out secret's grace ended, or it was revoked

        StepVerifier.create(authenticator.authenticate("Bearer " + fromOld))
                .expectErrorMatches(e -> e instanceof ProblemException p && p.status() == 401)
                .verify();
        StepVerifier.create(authenticator.authenticate("Bearer " + fromNew))
                .expectNext(new Principal.Application("user-service", true))
                .verifyComplete();
    }

    @Test
    void acceptsItsOwnTokensUntilTheyExpire() {
        String token = tokens.issue("user-service", "gen-new").token();
        TokenService later = new TokenService(
                new byte[32],
                Duration.ofHours(1),
                Clock.offset(clock, Duration.ofHours(1).plusSeconds(1)));

        StepVerifier.create(authenticator.authenticate("bearer " + token))
                .expectNext(new Principal.Application("user-service"))
                .verifyComplete();
        assertThat(later.verify(token)).isEmpty();
        assertThat(new TokenService(
                                new byte[] {
                                    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
                                    24, 25, 26, 27, 28, 29, 30, 31, 32
                                },
                                Duration.ofHours(1),
                                clock)
                        .verify(token))
                .as("a token signed with another key")
                .isEmpty();
    }

    @Test
    void refusesATokenOfADeletedApplication() {
        String token = tokens.issue("deleted-service", "gen-gone").token();

        StepVerifier.create(authenticator.authenticate("Bearer " + token))
                .expectErrorMatches(e -> e instanceof ProblemException p && p.status() == 401)
                .verify();
    }

    @Test
    void refusesEverythingElseWith401() {
        for (String header : new String[] {
            null,
            "",
            "Bearer wrong",
            basic("user-service", "wrong-secret-0000000"),
            basic("nobody", "new-secret-0123456789"),
            "Basic !!!",
            "Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)),
            "Digest abc"
        }) {
            StepVerifier.create(authenticator.authenticate(header))
                    .expectErrorMatches(e -> e instanceof ProblemException p && p.status() == 401)
                    .verify();
        }
    }

    @Test
    void afterTooManyWrongSecretsAnApplicationsLoginsAnswer429EvenWithTheRightOne() {
        for (int i = 0; i < 3; i++) {
            StepVerifier.create(authenticator.authenticate(basic("user-service", "guess-" + i + "-0123456789")))
                    .expectErrorMatches(e -> e instanceof ProblemException p && p.status() == 401)
                    .verify();
        }

        StepVerifier.create(authenticator.authenticate(basic("user-service", "new-secret-0123456789")))
                .expectErrorMatches(e -> e instanceof ProblemException p
                        && p.status() == 429
                        && p.retryAfter().isPresent())
                .verify();
        StepVerifier.create(authenticator.authenticate(basic("other-service", "other-secret-0123456789")))
                .expectNextCount(1) // another application is not held up
                .verifyComplete();
    }

    @Test
    void issuesOnlySoManyTokensPerApplicationPerWindow() {
        authenticator.countToken("user-service");
        authenticator.countToken("user-service");
        assertThatThrownBy(() -> authenticator.countToken("user-service"))
                .isInstanceOfSatisfying(ProblemException.class, p -> {
                    assertThat(p.status()).isEqualTo(429);
                    assertThat(p.retryAfter()).isPresent();
                });
        authenticator.countToken("other-service");
    }

    private static String basic(String application, String secret) {
        return "Basic "
                + Base64.getEncoder().encodeToString((application + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }
}
