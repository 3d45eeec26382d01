package io.amebo.gateway.core;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where the next page of a time-range query starts: the next offset to read in each partition, plus the range's
 * bounds, so that a cursor cannot be replayed against another range. Opaque, URL-safe text.
 */
public record EventCursor(String action, long fromMillis, long toMillis, Map<Integer, Long> nextOffsets) {

    private static final String VERSION = "c1";

    public EventCursor {
        nextOffsets = Map.copyOf(nextOffsets);
    }

    public String encode() {
        StringBuilder text = new StringBuilder(VERSION)
                .append(';')
                .append(action)
                .append(';')
                .append(fromMillis)
                .append(';')
                .append(toMillis)
                .append(';');
        new TreeMap<>(nextOffsets)
                .forEach((p, o) -> text.append(p).append(':').append(o).append(','));
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor, or empty when the text is not one. */
    public static Optional<EventCursor> decode(String text) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            String[] parts = plain.split(";", -1);
            if (parts.length != 5 || !parts[0].equals(VERSION)) {
                return Optional.empty();
            }
            Map<Integer, Long> offsets = new TreeMap<>();
            for (String pair : parts[4].split(",")) {
                if (pair.isEmpty()) {
                    continue;
                }
                String[] po = pair.split(":");
                int partition = Integer.parseInt(po[0]);
                long offset = Long.parseLong(po[1]);
                if (partition < 0 || offset < 0) {
                    return Optional.empty();
                }
                offsets.put(partition, offset);
            }
            return Optional.of(new EventCursor(parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]), offsets));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }
}
