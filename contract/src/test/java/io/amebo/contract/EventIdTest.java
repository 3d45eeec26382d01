package io.amebo.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventIdTest {

    private static final String ACTION_HEAD = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String ACTION_TAIL = ACTION_HEAD + "._-";
    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final long seed = Long.getLong("amebo.test.seed", System.nanoTime());
    private final Random random = new Random(seed);

    @Test
    void roundTripsRandomActionsPartitionsAndOffsets() {
        System.out.println("EventIdTest seed " + seed + " (rerun with -Damebo.test.seed=" + seed + ")");
        for (int i = 0; i < 20_000; i++) {
            EventId id = new EventId(randomAction(), randomPartition(), randomOffset());

            String text = id.encode();

            assertThat(text).as("seed %d", seed).matches("[A-Za-z0-9_-]+");
            assertThat(EventId.decode(text)).as("seed %d", seed).isEqualTo(id);
        }
    }

    @Test
    void roundTripsTheExtremes() {
        for (EventId id : new EventId[] {
            new EventId("a", 0, 0),
            new EventId("z".repeat(200), Integer.MAX_VALUE, Long.MAX_VALUE),
            new EventId("user.created", 7, 1L << 35)
        }) {
            assertThat(EventId.decode(id.encode())).isEqualTo(id);
        }
    }

    @Test
    void distinctPositionsHaveDistinctIds() {
        assertThat(new EventId("user.created", 0, 1).encode())
                .isNotEqualTo(new EventId("user.created", 1, 0).encode())
                .isNotEqualTo(new EventId("user.created", 0, 2).encode())
                .isNotEqualTo(new EventId("order.placed", 0, 1).encode());
    }

    @Test
    void rejectsEveryOneCharacterChangeOfAValidId() {
        System.out.println("EventIdTest seed " + seed);
        for (int i = 0; i < 2_000; i++) {
            String text = new EventId(randomAction(), randomPartition(), randomOffset()).encode();
            int at = random.nextInt(text.length());
            char replacement;
            do {
                replacement = BASE64URL.charAt(random.nextInt(BASE64URL.length()));
            } while (replacement == text.charAt(at));
            String tampered = text.substring(0, at) + replacement + text.substring(at + 1);

            assertThatThrownBy(() -> EventId.decode(tampered))
                    .as("seed %d, %s -> %s", seed, text, tampered)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("not an event id: ");
        }
    }

    @Test
    void rejectsGarbageWithAClearReason() {
        assertThatThrownBy(() -> EventId.decode(null)).hasMessage("not an event id: it is empty");
        assertThatThrownBy(() -> EventId.decode("")).hasMessage("not an event id: it is empty");
        assertThatThrownBy(() -> EventId.decode("not base64!")).hasMessage("not an event id: it is not base64url text");
        assertThatThrownBy(() -> EventId.decode("AAAA")).hasMessage("not an event id: it is too short");
        assertThatThrownBy(() -> EventId.decode("x".repeat(400)))
                .hasMessage("not an event id: it is longer than any event id");
        assertThatThrownBy(() -> EventId.decode("12345"))
                .hasMessageStartingWith("not an event id: ")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsRandomStrings() {
        System.out.println("EventIdTest seed " + seed);
        for (int i = 0; i < 10_000; i++) {
            byte[] bytes = new byte[1 + random.nextInt(60)];
            random.nextBytes(bytes);
            String garbage = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

            assertThatThrownBy(() -> EventId.decode(garbage))
                    .as("seed %d: %s", seed, garbage)
                    .hasMessageStartingWith("not an event id: ");
        }
    }

    @Test
    void refusesImpossiblePositions() {
        assertThatThrownBy(() -> new EventId("user.created", -1, 0)).hasMessageContaining("partition");
        assertThatThrownBy(() -> new EventId("user.created", 0, -1)).hasMessageContaining("offset");
        assertThatThrownBy(() -> new EventId("User Created", 0, 0)).hasMessageContaining("action");
    }

    private String randomAction() {
        int length = 1 + (random.nextInt(10) == 0 ? random.nextInt(200) : random.nextInt(30));
        StringBuilder name = new StringBuilder().append(ACTION_HEAD.charAt(random.nextInt(ACTION_HEAD.length())));
        while (name.length() < length) {
            name.append(ACTION_TAIL.charAt(random.nextInt(ACTION_TAIL.length())));
        }
        return name.toString();
    }

    private int randomPartition() {
        return random.nextBoolean() ? random.nextInt(64) : random.nextInt(Integer.MAX_VALUE);
    }

    private long randomOffset() {
        return switch (random.nextInt(3)) {
            case 0 -> random.nextInt(1000);
            case 1 -> random.nextLong(1L << 40);
            default -> random.nextLong(Long.MAX_VALUE);
        };
    }
}
