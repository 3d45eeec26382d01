package io.amebo.platform.web;

import io.amebo.contract.Problem.FieldError;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Reads the members of a JSON request object and collects every problem instead of stopping at the first: wrong
 * types, missing required members, values out of range and unknown members. {@link #validate} then throws one 422
 * naming them all. Pointers are RFC 6901 ({@code /max_retries}).
 */
public final class FieldReader {

    private final JsonNode body;
    private final List<FieldError> errors = new ArrayList<>();

    /** Reads {@code body}; any member not in {@code known} is reported as unknown. */
    public FieldReader(JsonNode body, Set<String> known) {
        this.body = body;
        for (String name : body.propertyNames()) {
            if (!known.contains(name)) {
                errors.add(new FieldError(pointer(name), "is not a known field; known fields are " + sorted(known)));
            }
        }
    }

    public String requiredString(String name, int maxLength) {
        return optionalString(name, maxLength).orElseGet(() -> {
            if (!body.has(name) || body.get(name).isNull()) {
                errors.add(new FieldError(pointer(name), "is required"));
            }
            return null;
        });
    }

    public Optional<String> optionalString(String name, int maxLength) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isString()) {
            errors.add(new FieldError(pointer(name), "must be a string, not " + kind(value)));
            return Optional.empty();
        }
        String text = value.asString();
        if (text.length() > maxLength) {
            errors.add(new FieldError(pointer(name), "must be at most " + maxLength + " characters"));
            return Optional.empty();
        }
        Optional<String> unstorable = checkStorable(text);
        if (unstorable.isPresent()) {
            errors.add(new FieldError(pointer(name), unstorable.get()));
            return Optional.empty();
        }
        return Optional.of(text);
    }

    /**
     * A string member that may also come under {@code synonym} (the original Amebo's name for it, e.g. {@code location}
     * for {@code address}): read under whichever name it was given. Both at once is a problem named at the synonym,
     * rather than one of the two values silently winning.
     */
    public Optional<String> optionalString(String name, String synonym, int maxLength) {
        if (given(name) && given(synonym)) {
            errors.add(new FieldError(pointer(synonym), "is another name for " + name + "; send only one of the two"));
            return Optional.empty();
        }
        return optionalString(givenAs(name, synonym), maxLength);
    }

    /** The name a member with a synonym was given under: {@code synonym} if only it was sent, else {@code name}. */
    public String givenAs(String name, String synonym) {
        return given(synonym) && !given(name) ? synonym : name;
    }

    private boolean given(String name) {
        JsonNode value = body.get(name);
        return value != null && !value.isNull();
    }

    /**
     * Why {@code text} cannot be stored and sent on as it is, or empty when it can: a NUL character (PostgreSQL's
     * text cannot hold one, and no name, address or description needs one) or half of a surrogate pair (no UTF-8
     * encoding exists for it).
     */
    public static Optional<String> checkStorable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return Optional.of("must not contain NUL characters");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of("must not contain unpaired surrogate characters (it would not be valid UTF-8)");
            }
        }
        return Optional.empty();
    }

    /** An ISO-8601 time member (what {@link QueryParams#time} reads from a query), or empty when absent or invalid. */
    public Optional<Instant> optionalTime(String name) {
        return optionalString(name, 64).flatMap(text -> {
            try {
                return Optional.of(Instant.parse(text.trim()));
            } catch (DateTimeParseException e) {
                errors.add(new FieldError(pointer(name), "must be an ISO-8601 UTC time such as 2026-01-01T00:00:00Z"));
                return Optional.empty();
            }
        });
    }

    /** {@link #optionalTime}, and a problem when the member is absent. */
    public Instant requiredTime(String name) {
        if (!body.has(name) || body.get(name).isNull()) {
            errors.add(new FieldError(pointer(name), "is required"));
            return null;
        }
        return optionalTime(name).orElse(null);
    }

    public Optional<Integer> optionalInt(String name, int min, int max) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            errors.add(new FieldError(pointer(name), "must be a whole number from " + min + " to " + max));
            return Optional.empty();
        }
        int number = value.asInt();
        if (number < min || number > max) {
            errors.add(new FieldError(pointer(name), "must be from " + min + " to " + max + ", was " + number));
            return Optional.empty();
        }
        return Optional.of(number);
    }

    public Optional<Boolean> optionalBoolean(String name) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isBoolean()) {
            errors.add(new FieldError(pointer(name), "must be true or false, not " + kind(value)));
            return Optional.empty();
        }
        return Optional.of(value.asBoolean());
    }

    /** The member as it is, any JSON type, or empty when absent or null. */
    public Optional<JsonNode> optionalNode(String name) {
        JsonNode value = body.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    /** Reports a problem with a member the caller checked itself ({@code check} returns the problem or empty). */
    public <T> T check(String name, T value, Function<T, Optional<String>> check) {
        if (value != null) {
            check.apply(value).ifPresent(problem -> errors.add(new FieldError(pointer(name), problem)));
        }
        return value;
    }

    public void reject(String name, String problem) {
        errors.add(new FieldError(pointer(name), problem));
    }

    /** Reports a problem at a full pointer (e.g. inside a nested document). */
    public void rejectAt(String pointer, String problem) {
        errors.add(new FieldError(pointer, problem));
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** Throws a 422 naming every problem found, if there is any. */
    public void validate(String what) {
        if (!errors.isEmpty()) {
            throw ProblemException.unprocessable(
                    what + " is invalid: " + errors.get(0).pointer() + " "
                            + errors.get(0).message()
                            + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""),
                    errors);
        }
    }

    /** Why {@code text} is not an absolute http(s) URL, or empty when it is one. */
    public static Optional<String> checkHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            if (!uri.isAbsolute()
                    || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
                return Optional.of("must be an absolute http or https URL");
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                return Optional.of("must name a host");
            }
            if (uri.getRawUserInfo() != null) {
                return Optional.of("must not carry credentials");
            }
            if (uri.getRawFragment() != null) {
                return Optional.of("must not have a fragment");
            }
            return Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL: " + e.getReason());
        }
    }

    public static String pointer(String name) {
        return "/" + name.replace("~", "~0").replace("/", "~1");
    }

    private static String kind(JsonNode value) {
        if (value.isString()) return "a string";
        if (value.isNumber()) return "a number";
        if (value.isBoolean()) return "a boolean";
        if (value.isArray()) return "an array";
        if (value.isObject()) return "an object";
        return "null";
    }

    private static String sorted(Set<String> names) {
        return String.join(", ", names.stream().sorted().toList());
    }
}
