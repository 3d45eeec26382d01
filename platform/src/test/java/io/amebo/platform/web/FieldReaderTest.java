package io.amebo.platform.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amebo.contract.Problem.FieldError;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class FieldReaderTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> KNOWN = Set.of("secret", "passphrase");

    @Test
    void readsAMemberUnderItsNameOrUnderItsSynonym() {
        FieldReader byName = reader("{\"secret\": \"s3cret\"}");
        assertThat(byName.optionalString("secret", "passphrase", 100)).contains("s3cret");
        assertThat(byName.givenAs("secret", "passphrase")).isEqualTo("secret");

        FieldReader bySynonym = reader("{\"passphrase\": \"s3cret\", \"secret\": null}");
        assertThat(bySynonym.optionalString("secret", "passphrase", 100)).contains("s3cret");
        assertThat(bySynonym.givenAs("secret", "passphrase")).isEqualTo("passphrase");
        bySynonym.validate("the test");

        FieldReader neither = reader("{}");
        assertThat(neither.optionalString("secret", "passphrase", 100)).isEmpty();
        assertThat(neither.hasErrors()).isFalse();
    }

    @Test
    void refusesAMemberGivenUnderBothNamesNamingTheSynonym() {
        FieldReader both = reader("{\"secret\": \"one-secret\", \"passphrase\": \"another-one\"}");

        assertThat(both.optionalString("secret", "passphrase", 100)).isEmpty();
        assertThatThrownBy(() -> both.validate("the application")).isInstanceOfSatisfying(ProblemException.class, e -> {
            assertThat(e.problem().status()).isEqualTo(422);
            assertThat(e.problem().errors()).extracting(FieldError::pointer).containsExactly("/passphrase");
        });
    }

    private static FieldReader reader(String json) {
        return new FieldReader(JSON.readTree(json), KNOWN);
    }
}
