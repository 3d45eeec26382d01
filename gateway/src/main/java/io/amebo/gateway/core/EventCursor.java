package io.amebo.gateway.core;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where the next page of a time-range query starts: the next offset to read in each partition still open, plus the
 * query it belongs to (which actions, and the range's bounds), so that a cursor cannot be replayed against another
 * query. Opaque, URL-safe text.
 *
 * @param actions the query's actions as {@link #actionsKey} writes them
 */
public record EventCursor(String actions, long fromMillis, long toMillis, Map<Position, Long> nextOffsets) {

    /** A partition of an action's topic. */
    public record Position(String action, int partition) {}

    /** Stands for "every action the caller may read" in {@link #actions}. */
    public static final String ALL_READABLE = "*";

    private static final String VERSION = "c2";
    private static final String ONE_ACTION_VERSION = "c1";
    private static final Comparator<Position> ORDER =
            Comparator.comparing(Position::action).thenComparingInt(Position::partition);

    public EventCursor {
        nextOffsets = Map.copyOf(nextOffsets);
    }

    /** The {@link #actions} of a query: its action names, sorted and comma-joined, or {@link #ALL_READABLE}. */
    public static String actionsKey(Collection<String> names) {
        return names.isEmpty() ? ALL_READABLE : String.join(",", new TreeSet<>(names));
    }

    public String encode() {
        StringBuilder text = new StringBuilder(VERSION)
                .append(';')
                .append(actions)
                .append(';')
                .append(fromMillis)
                .append(';')
                .append(toMillis)
                .append(';');
        Map<Position, Long> sorted = new TreeMap<>(ORDER);
        sorted.putAll(nextOffsets);
        sorted.forEach((p, o) -> text.append(p.action())
                .append(':')
                .append(p.partition())
                .append(':')
                .append(o)
                .append(','));
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The cursor, or empty when the text is not one. A cursor of the one-action form that earlier versions gave
     * ({@code c1;action;from;to;partition:offset,...}) still reads.
     */
    public static Optional<EventCursor> decode(String text) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            String[] parts = plain.split(";", -1);
            boolean oneAction = parts.length == 5 && parts[0].equals(ONE_ACTION_VERSION);
            if (parts.length != 5 || !oneAction && !parts[0].equals(VERSION) || parts[1].isEmpty()) {
                return Optional.empty();
            }
            Map<Position, Long> offsets = new TreeMap<>(ORDER);
            for (String entry : parts[4].split(",")) {
                if (entry.isEmpty()) {
                    continue;
                }
                String[] fields = entry.split(":", -1);
                if (fields.length != (oneAction ? 2 : 3)) {
                    return Optional.empty();
                }
                String action = oneAction ? parts[1] : fields[0];
                int partition = Integer.parseInt(fields[fields.length - 2]);
                long offset = Long.parseLong(fields[fields.length - 1]);
                if (action.isEmpty() || partition < 0 || offset < 0) {
                    return Optional.empty();
                }
                offsets.put(new Position(action, partition), offset);
            }
            return Optional.of(new EventCursor(parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]), offsets));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
