package io.amebo.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TokenServiceTest {

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MovableClock clock = new MovableClock();
    private final TokenService tokens = new TokenService(new byte[32], Duration.ofMinutes(10), clock);

    @Test
    void aTokenVerifiedBeforeStillExpiresOnTime() {
        String token = tokens.issue("user-service", "gen-1").token();
        assertThat(tokens.verify(token)).contains(new TokenService.Subject("user-service", "gen-1"));
        assertThat(tokens.verify(token)).as("remembered").isPresent();

        clock.now = clock.now.plus(Duration.ofMinutes(10));

        assertThat(tokens.verify(token)).isEmpty();
    }

    @Test
    void aTamperedTokenIsRefusedEvenAfterTheGenuineOneWasRemembered() {
        String token = tokens.issue("user-service", "gen-1").token();
        assertThat(tokens.verify(token)).isPresent();
        String[] parts = token.split("\\.");
        String other = tokens.issue("admin-service", "gen-2").token().split("\\.")[1];

        assertThat(tokens.verify(parts[0] + "." + other + "." + parts[2])).isEmpty();
        assertThat(new TokenService(new byte[32], Duration.ofMinutes(10), clock).verify(token + "x"))
                .isEmpty();
    }
}
