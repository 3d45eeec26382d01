package io.amebo.client;

import java.time.Instant;
import java.util.List;

/**
 * Which events to read ({@link AmeboClient#getEvents(EventQuery)}). Immutable; start from {@link #between}.
 *
 * @param actions the actions to read; empty for every action the caller may read
 * @param from the first instant, inclusive; null for the start of the log
 * @param to the end, exclusive; null for "now" (pinned when the read starts, so every page reads the same range)
 * @param limit events per page, 1 to 100: a page is one request
 * @param deduper only the events published with this deduper, or null for all
 */
public record EventQuery(List<String> actions, Instant from, Instant to, int limit, String deduper) {

    /** The most events Amebo serves on one page, and the default. */
    public static final int MAX_LIMIT = 100;

    public EventQuery {
        actions = actions == null ? List.of() : List.copyOf(actions);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit is 1 to " + MAX_LIMIT + ", was " + limit);
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("from must be before to");
        }
    }

    /** The events of every readable action appended in {@code [from, to)}. */
    public static EventQuery between(Instant from, Instant to) {
        return new EventQuery(List.of(), from, to, MAX_LIMIT, null);
    }

    public EventQuery withActions(List<String> actions) {
        return new EventQuery(actions, from, to, limit, deduper);
    }

    public EventQuery withActions(String... actions) {
        return withActions(List.of(actions));
    }

    public EventQuery withLimit(int limit) {
        return new EventQuery(actions, from, to, limit, deduper);
    }

    public EventQuery withDeduper(String deduper) {
        return new EventQuery(actions, from, to, limit, deduper);
    }
}
