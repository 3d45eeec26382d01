package io.amebo.gateway.core;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Reads {@code sleep_until} (Amebo's delayed delivery): seconds to wait before the first delivery, or an ISO-8601
 * instant. 0, null and past instants mean no delay. Delays are bounded, so a typo cannot park an event for years.
 */
public final class DelaySpec {

    public static final Duration MAX_DELAY = Duration.ofDays(365);

    private DelaySpec() {}

    /** The delivery not-before instant, empty for none; or the problem with the value. */
    public record Parsed(Optional<Instant> notBefore, Optional<String> problem) {
        static Parsed none() {
            return new Parsed(Optional.empty(), Optional.empty());
        }

        static Parsed at(Instant instant) {
            return new Parsed(Optional.of(instant), Optional.empty());
        }

        static Parsed invalid(String problem) {
            return new Parsed(Optional.empty(), Optional.of(problem));
        }
    }

    public static Parsed parse(JsonNode value, Instant now) {
        if (value == null || value.isNull()) {
            return Parsed.none();
        }
        if (value.isNumber()) {
            if ((value.isDouble() || value.isFloat()) && !Double.isFinite(value.doubleValue())) {
                return Parsed.invalid("must be at most " + MAX_DELAY.toSeconds() + " seconds (a year)");
            }
            BigDecimal seconds = value.decimalValue();
            if (seconds.signum() < 0) {
                return Parsed.invalid("must not be negative");
            }
            if (seconds.compareTo(BigDecimal.valueOf(MAX_DELAY.toSeconds())) > 0) {
                return Parsed.invalid("must be at most " + MAX_DELAY.toSeconds() + " seconds (a year)");
            }
            long millis = seconds.movePointRight(3).longValue();
            return millis == 0 ? Parsed.none() : Parsed.at(now.plusMillis(millis));
        }
        if (value.isString()) {
            try {
                Instant at = Instant.parse(value.asString().trim());
                if (at.isAfter(now.plus(MAX_DELAY))) {
                    return Parsed.invalid("must be within a year from now");
                }
                return at.isAfter(now) ? Parsed.at(at) : Parsed.none();
            } catch (DateTimeParseException e) {
                return Parsed.invalid(
                        "must be a number of seconds or an ISO-8601 UTC time such as 2026-01-01T00:00:00Z");
            }
        }
        return Parsed.invalid("must be a number of seconds or an ISO-8601 UTC time such as 2026-01-01T00:00:00Z");
    }
}
