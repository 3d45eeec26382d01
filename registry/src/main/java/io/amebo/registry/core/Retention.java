package io.amebo.registry.core;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long an action's events are kept: a duration, or {@code forever} for event sourcing (DESIGN §3). Accepted
 * as {@code 7d}, {@code 12h}, {@code 30m}, {@code 90s}, ISO-8601 ({@code P7D}, {@code PT12H}) or {@code forever}.
 */
public record Retention(Optional<Duration> duration) {

    public static final Retention FOREVER = new Retention(Optional.empty());
    private static final Pattern SHORT = Pattern.compile("^(\\d{1,9})(ms|s|m|h|d)$");
    private static final Duration MINIMUM = Duration.ofMinutes(1);

    public static Retention of(Duration duration) {
        return new Retention(Optional.of(duration));
    }

    /** The retention {@code text} names, or why it names none. */
    public static ParseResult parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.equals("forever")) {
            return new ParseResult(Optional.of(FOREVER), Optional.empty());
        }
        Duration duration = null;
        Matcher m = SHORT.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            duration = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                duration = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                return ParseResult.error("must be a duration such as 7d, 12h or P7D, or forever");
            }
        }
        if (duration.compareTo(MINIMUM) < 0) {
            return ParseResult.error("must be at least one minute");
        }
        return new ParseResult(Optional.of(of(duration)), Optional.empty());
    }

    /** The Kafka {@code retention.ms} value: -1 for forever. */
    public long retentionMs() {
        return duration.map(Duration::toMillis).orElse(-1L);
    }

    /** The text form kept in the registry: ISO-8601 or {@code forever}. */
    public String text() {
        return duration.map(Duration::toString).orElse("forever");
    }

    public record ParseResult(Optional<Retention> retention, Optional<String> problem) {
        static ParseResult error(String problem) {
            return new ParseResult(Optional.empty(), Optional.of(problem));
        }
    }
}
