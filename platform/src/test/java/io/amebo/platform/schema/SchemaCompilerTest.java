package io.amebo.platform.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.contract.Problem.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SchemaCompilerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String USER_CREATED = """
            {"type": "object",
             "properties": {
               "user_id": {"type": "string"},
               "email": {"type": "string", "format": "email"},
               "name": {"type": "string"},
               "plan": {"type": "string", "enum": ["free", "premium"]}},
             "required": ["user_id", "email", "name"]}""";

    private final SchemaCompiler compiler = new SchemaCompiler();

    @Test
    void validatesTheSeedPayloadAndNamesEveryViolation() {
        SchemaCompiler.CompiledSchema schema = compile(USER_CREATED);

        assertThat(schema.validate(json("{\"user_id\":\"u1\",\"email\":\"a@b.co\",\"name\":\"A\"}"), "/payload"))
                .isEmpty();
        List<FieldError> violations =
                schema.validate(json("{\"user_id\":7,\"email\":\"not-an-email\",\"plan\":\"gold\"}"), "/payload");
        assertThat(violations)
                .extracting(FieldError::pointer)
                .contains("/payload/user_id", "/payload/email", "/payload/plan", "/payload");
        assertThat(violations).allSatisfy(v -> assertThat(v.message()).isNotBlank());
    }

    /**
     * {@code ^(.*a){15}b$} on fifty a's keeps the JDK's backtracking engine busy for far longer than this test allows
     * (it tries every way to cut the a's into fifteen pieces); RE2/J is linear in the input.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 10, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aCatastrophicPatternCostsNoMoreThanAnyOther() {
        SchemaCompiler.CompiledSchema schema = compile(
                "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"pattern\":\"^(.*a){15}b$\"}}}");
        String evil = "{\"s\":\"" + "a".repeat(50) + "\"}";

        for (int i = 0; i < 100; i++) {
            assertThat(schema.validate(json(evil), "/payload"))
                    .extracting(FieldError::pointer)
                    .containsExactly("/payload/s");
        }
        assertThat(schema.validate(json("{\"s\":\"" + "a".repeat(15) + "b\"}"), "/payload"))
                .isEmpty();
    }

    @Test
    void keepsEcmaScriptAnchorsAndCharacterClasses() {
        SchemaCompiler.CompiledSchema schema = compile("{\"type\":\"string\",\"pattern\":\"^[A-Z]{2}-\\\\d{3}$\"}");

        assertThat(schema.validate(json("\"AB-123\""), "/payload")).isEmpty();
        assertThat(schema.validate(json("\"AB-123\\n\""), "/payload")).isNotEmpty(); // $ is the end of input only
        assertThat(schema.validate(json("\"xAB-123\""), "/payload")).isNotEmpty();
    }

    @Test
    void refusesAPatternThatNeedsBacktrackingAtRegistration() {
        SchemaCompiler.Compilation compilation =
                compiler.compile(json("{\"type\":\"string\",\"pattern\":\"^(?=.*\\\\d)\\\\w+$\"}"), "/schemata");

        assertThat(compilation.isValid()).isFalse();
        assertThat(compilation.problems()).extracting(FieldError::pointer).containsExactly("/schemata/pattern");
    }

    @Test
    void assertsFormats() {
        SchemaCompiler.CompiledSchema schema = compile("{\"type\":\"string\",\"format\":\"date-time\"}");

        assertThat(schema.validate(json("\"2026-01-01T00:00:00Z\""), "/payload"))
                .isEmpty();
        assertThat(schema.validate(json("\"yesterday\""), "/payload")).isNotEmpty();
    }

    @Test
    void honoursDraft07AndDraft04() {
        SchemaCompiler.CompiledSchema draft7 = compile(
                "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"array\",\"items\":[{\"type\":\"string\"}]}");
        SchemaCompiler.CompiledSchema draft4 = compile(
                "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"type\":\"number\",\"maximum\":5,\"exclusiveMaximum\":true}");

        assertThat(draft7.validate(json("[1]"), "/payload")).isNotEmpty();
        assertThat(draft7.validate(json("[\"a\", 1]"), "/payload")).isEmpty();
        assertThat(draft4.validate(json("5"), "/payload")).isNotEmpty();
        assertThat(draft4.validate(json("4.9"), "/payload")).isEmpty();
    }

    @Test
    void refusesInvalidSchemasWithPointers() {
        assertProblemAt("{\"type\":\"strnig\"}", "/schemata/type");
        assertProblemAt("{\"properties\":{\"a\":{\"type\":5}}}", "/schemata/properties/a/type");
        assertProblemAt("{\"required\":\"name\"}", "/schemata/required");
        assertProblemAt("{\"minLength\":-1}", "/schemata/minLength");
        assertProblemAt("{\"$schema\":\"http://example.com/unknown\"}", "/schemata/$schema");
        assertProblemAt("[]", "/schemata");
        assertProblemAt("42", "/schemata");
    }

    @Test
    void neverFetchesARemoteReference() {
        SchemaCompiler.Compilation compilation =
                compiler.compile(json("{\"$ref\":\"http://127.0.0.1:1/remote.json\"}"), "/schemata");

        assertThat(compilation.isValid()).isFalse();
    }

    private void assertProblemAt(String schema, String pointer) {
        SchemaCompiler.Compilation compilation = compiler.compile(json(schema), "/schemata");
        assertThat(compilation.isValid()).as(schema).isFalse();
        assertThat(compilation.problems())
                .as(schema)
                .extracting(FieldError::pointer)
                .contains(pointer);
    }

    private SchemaCompiler.CompiledSchema compile(String schema) {
        SchemaCompiler.Compilation compilation = compiler.compile(json(schema), "/schemata");
        assertThat(compilation.problems()).isEmpty();
        return compilation.schema().orElseThrow();
    }

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }
}
