package io.amebo.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class WireFormatTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void writesTheEnvelopeOfDesignSectionFiveWithThePayloadBytesUntouched() {
        WebhookEnvelope envelope = new WebhookEnvelope(
                "AQABdXNlcg",
                "user.created",
                "user-service",
                "welcome-emails",
                "{\"user_id\": \"u1\",  \"email\":\"a@b.co\"}",
                Instant.parse("2026-01-01T00:00:00Z"),
                1,
                "d-1");

        String written = json.writeValueAsString(envelope);

        assertThat(written)
                .isEqualTo("{\"id\":\"AQABdXNlcg\",\"action\":\"user.created\",\"application\":\"user-service\","
                        + "\"subscription\":\"welcome-emails\",\"payload\":{\"user_id\": \"u1\",  \"email\":\"a@b.co\"},"
                        + "\"timestamped\":\"2026-01-01T00:00:00Z\",\"attempt\":1,\"deduper\":\"d-1\"}");
    }

    @Test
    void leavesOutAnAbsentDeduper() {
        WebhookEnvelope envelope =
                new WebhookEnvelope("x", "a", "app", "s", "{}", Instant.parse("2026-01-01T00:00:00Z"), 2, null);

        assertThat(json.writeValueAsString(envelope)).doesNotContain("deduper").contains("\"attempt\":2");
    }

    @Test
    void writesAProblemWithAmebosErrorMemberAndEveryFailingField() {
        Problem problem = Problem.invalid(
                        422,
                        "Unprocessable Content",
                        "the payload does not match the schema of user.created",
                        List.of(
                                new Problem.FieldError("/payload/email", "is not an email address"),
                                new Problem.FieldError("/payload/name", "is required")))
                .withInstance("/v1/events");

        String written = json.writeValueAsString(problem);

        assertThat(written)
                .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Unprocessable Content\",\"status\":422,"
                        + "\"detail\":\"the payload does not match the schema of user.created\","
                        + "\"instance\":\"/v1/events\","
                        + "\"error\":\"the payload does not match the schema of user.created\","
                        + "\"errors\":[{\"pointer\":\"/payload/email\",\"message\":\"is not an email address\"},"
                        + "{\"pointer\":\"/payload/name\",\"message\":\"is required\"}]}");
    }

    @Test
    void leavesOutEmptyFieldErrors() {
        assertThat(json.writeValueAsString(Problem.of(404, "Not Found", "no action named x")))
                .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
                        + "\"detail\":\"no action named x\",\"error\":\"no action named x\"}");
    }
}
