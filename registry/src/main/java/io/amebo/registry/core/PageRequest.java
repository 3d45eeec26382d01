package io.amebo.registry.core;

import io.amebo.contract.Problem.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A page of a list, in Amebo's names: {@code page} (1-based, default 1) and {@code pagination} (page size,
 * default 15, at most 100). {@code limit} is accepted as a synonym of {@code pagination}.
 */
public record PageRequest(int page, int size) {

    public static final int DEFAULT_SIZE = 15;
    public static final int MAX_SIZE = 100;

    public long offset() {
        return (long) (page - 1) * size;
    }

    public record Parsed(Optional<PageRequest> page, List<FieldError> errors) {}

    public static Parsed parse(Optional<String> page, Optional<String> pagination) {
        List<FieldError> errors = new ArrayList<>();
        int p = number(page, "page", 1, 1_000_000, 1, errors);
        int s = number(pagination, "pagination", 1, MAX_SIZE, DEFAULT_SIZE, errors);
        return errors.isEmpty()
                ? new Parsed(Optional.of(new PageRequest(p, s)), List.of())
                : new Parsed(Optional.empty(), errors);
    }

    private static int number(
            Optional<String> text, String name, int min, int max, int fallback, List<FieldError> errors) {
        if (text.isEmpty() || text.get().isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.get().trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(new FieldError("/" + name, "must be a whole number from " + min + " to " + max));
        return fallback;
    }
}
