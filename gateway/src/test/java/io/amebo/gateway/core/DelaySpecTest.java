package io.amebo.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class DelaySpecTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void readsSecondsAndInstants() {
        assertThat(parse("30").notBefore()).contains(NOW.plusSeconds(30));
        assertThat(parse("1.5").notBefore()).contains(NOW.plusMillis(1500));
        assertThat(parse("\"2026-01-02T00:00:00Z\"").notBefore()).contains(Instant.parse("2026-01-02T00:00:00Z"));
    }

    @Test
    void treatsZeroNullAndThePastAsNoDelay() {
        for (String none : new String[] {"0", "null", "\"2025-01-01T00:00:00Z\""}) {
            DelaySpec.Parsed parsed = parse(none);
            assertThat(parsed.notBefore()).as(none).isEmpty();
            assertThat(parsed.problem()).as(none).isEmpty();
        }
    }

    @Test
    void refusesNegativeHugeAndUnreadableDelays() {
        for (String bad : new String[] {
            "-1", "99999999999", "1e400", "-1e400", "\"tomorrow\"", "[]", "true", "\"2999-01-01T00:00:00Z\""
        }) {
            assertThat(parse(bad).problem()).as(bad).isPresent();
        }
    }

    private DelaySpec.Parsed parse(String value) {
        return DelaySpec.parse(json.readTree(value), NOW);
    }
}
