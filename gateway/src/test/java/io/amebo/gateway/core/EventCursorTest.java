package io.amebo.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EventCursorTest {

    @Test
    void roundTrips() {
        EventCursor cursor = new EventCursor("user.created", 1000, 2000, Map.of(0, 5L, 3, 17L));

        assertThat(EventCursor.decode(cursor.encode())).contains(cursor);
    }

    @Test
    void rejectsGarbage() {
        for (String garbage : new String[] {"", "garbage", "YzE7YQ", "!!!", "YzI7YTsxOzI7"}) {
            assertThat(EventCursor.decode(garbage)).as(garbage).isEmpty();
        }
    }
}
