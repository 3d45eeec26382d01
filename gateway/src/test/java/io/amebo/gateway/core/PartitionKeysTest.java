package io.amebo.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class PartitionKeysTest {

    private final JsonNode payload =
            JsonMapper.builder().build().readTree("{\"user_id\":\"u1\",\"n\":7,\"nested\":{\"a\":[1]}}");

    @Test
    void prefersTheEventsOwnKey() {
        assertThat(PartitionKeys.keyOf("k", "/user_id", payload)).contains("k");
    }

    @Test
    void readsThePartitionKeyPointerInThePayload() {
        assertThat(PartitionKeys.keyOf(null, "/user_id", payload)).contains("u1");
        assertThat(PartitionKeys.keyOf(null, "/n", payload)).contains("7");
        assertThat(PartitionKeys.keyOf(null, "/nested", payload)).contains("{\"a\":[1]}");
    }

    @Test
    void hasNoKeyWhenNothingNamesOne() {
        assertThat(PartitionKeys.keyOf(null, null, payload)).isEmpty();
        assertThat(PartitionKeys.keyOf(null, "/missing", payload)).isEmpty();
    }
}
