package io.amebo.platform.schema;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import io.amebo.contract.Problem.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Compiles actions' JSON Schemas once, so that validating a payload is only running the compiled schema
 * (networknt). Draft 2020-12 unless the schema names another dialect with {@code $schema} (draft-04, -06, -07 and
 * 2019-09 are honoured); {@code format} is asserted; patterns run in linear time (RE2/J), so no payload can make
 * validation spin; nothing is ever fetched over the network, so a remote {@code $ref} fails to compile. Thread-safe.
 */
public final class SchemaCompiler {

    private final SchemaRegistry registry;

    public SchemaCompiler() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .formatAssertionsEnabled(true)
                .regularExpressionFactory(new Re2jRegularExpressionFactory())
                .pathType(PathType.JSON_POINTER)
                .build();
        this.registry = SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(config)
                        .schemaLoader(loader -> loader.fetchRemoteResources(false)));
    }

    /** A schema ready to validate payloads. */
    public static final class CompiledSchema {
        private final Schema schema;

        private CompiledSchema(Schema schema) {
            this.schema = schema;
        }

        /** Every violation, each with a pointer under {@code pointerPrefix} (e.g. {@code /payload/email}). */
        public List<FieldError> validate(JsonNode payload, String pointerPrefix) {
            List<Error> errors = schema.validate(payload);
            if (errors.isEmpty()) {
                return List.of();
            }
            List<FieldError> violations = new ArrayList<>(errors.size());
            for (Error error : errors) {
                violations.add(toFieldError(error, pointerPrefix));
            }
            return violations;
        }

        public JsonNode schemaNode() {
            return schema.getSchemaNode();
        }
    }

    /** The outcome of compiling: a schema, or every problem found in it. */
    public record Compilation(Optional<CompiledSchema> schema, List<FieldError> problems) {
        public boolean isValid() {
            return schema.isPresent();
        }
    }

    /**
     * Compiles {@code schemaNode}, first checking it against its dialect's meta-schema. Problems point under
     * {@code pointerPrefix} (e.g. {@code /schemata/properties/email/type}).
     */
    public Compilation compile(JsonNode schemaNode, String pointerPrefix) {
        if (!schemaNode.isObject() && !schemaNode.isBoolean()) {
            return invalid(pointerPrefix, "must be a JSON Schema: an object (or true/false)");
        }
        Optional<SpecificationVersion> dialect;
        try {
            dialect = schemaNode.has("$schema")
                    ? SpecificationVersion.fromSchemaNode(schemaNode)
                    : Optional.of(SpecificationVersion.DRAFT_2020_12);
        } catch (RuntimeException e) {
            dialect = Optional.empty();
        }
        if (dialect.isEmpty()) {
            return invalid(
                    pointerPrefix + "/$schema",
                    "names an unsupported dialect; use draft 2020-12, 2019-09, draft-07, draft-06 or draft-04");
        }
        try {
            Schema meta = registry.getSchema(SchemaLocation.of(dialect.get().getDialectId()));
            List<Error> metaErrors = meta.validate(schemaNode);
            if (!metaErrors.isEmpty()) {
                return new Compilation(
                        Optional.empty(),
                        metaErrors.stream()
                                .map(e -> toFieldError(e, pointerPrefix))
                                .distinct()
                                .toList());
            }
            Schema schema = registry.getSchema(schemaNode);
            schema.initializeValidators();
            return new Compilation(Optional.of(new CompiledSchema(schema)), List.of());
        } catch (SchemaException e) {
            return invalid(pointerPrefix, "is not a usable JSON Schema: " + e.getMessage());
        } catch (RuntimeException e) {
            return invalid(
                    pointerPrefix,
                    "is not a usable JSON Schema: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private static Compilation invalid(String pointer, String message) {
        return new Compilation(Optional.empty(), List.of(new FieldError(pointer, message)));
    }

    private static FieldError toFieldError(Error error, String pointerPrefix) {
        String location = error.getInstanceLocation() == null
                ? ""
                : error.getInstanceLocation().toString();
        if (location.equals("/") || location.equals("$")) {
            location = "";
        }
        String message = error.getMessage();
        // networknt starts messages with the instance location; the pointer already says where
        if (message != null && message.startsWith(location + ": ") && !location.isEmpty()) {
            message = message.substring(location.length() + 2);
        } else if (message != null && message.startsWith(": ")) {
            message = message.substring(2);
        }
        return new FieldError(pointerPrefix + location, message == null ? error.getKeyword() : message);
    }
}
