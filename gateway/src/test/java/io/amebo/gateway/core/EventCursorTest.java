package io.amebo.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.gateway.core.EventCursor.Position;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventCursorTest {

    @Test
    void roundTripsAcrossActions() {
        EventCursor cursor = new EventCursor(
                EventCursor.actionsKey(List.of("user.created", "order.placed")),
                1000,
                2000,
                Map.of(new Position("user.created", 0), 5L, new Position("order.placed", 3), 17L));

        assertThat(cursor.actions()).isEqualTo("order.placed,user.created");
        assertThat(EventCursor.decode(cursor.encode())).contains(cursor);
    }

    @Test
    void everyReadableActionHasItsOwnKey() {
        assertThat(EventCursor.actionsKey(List.of())).isEqualTo(EventCursor.ALL_READABLE);
    }

    @Test
    void readsTheOneActionCursorsOfEarlierVersions() {
        String old = encoded("c1;user.created;1000;2000;0:5,3:17,");

        assertThat(EventCursor.decode(old))
                .contains(new EventCursor(
                        "user.created",
                        1000,
                        2000,
                        Map.of(new Position("user.created", 0), 5L, new Position("user.created", 3), 17L)));
    }

    @Test
    void rejectsGarbage() {
        for (String garbage : new String[] {
            "",
            "garbage",
            "YzE7YQ",
            "!!!",
            encoded("c3;a;1;2;"),
            encoded("c2;;1;2;"),
            encoded("c2;a;1;2;a:0"),
            encoded("c2;a;1;2;a:-1:3"),
            encoded("c2;a;1;2;:0:3"),
            encoded("c1;a;1;2;a:0:3"),
            encoded("c2;a;x;2;")
        }) {
            assertThat(EventCursor.decode(garbage)).as(garbage).isEmpty();
        }
    }

    private static String encoded(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }
}
