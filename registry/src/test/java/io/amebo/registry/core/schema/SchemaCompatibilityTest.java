package io.amebo.registry.core.schema;

import static io.amebo.registry.core.schema.CompatibilityMode.BACKWARD;
import static io.amebo.registry.core.schema.CompatibilityMode.FORWARD;
import static io.amebo.registry.core.schema.CompatibilityMode.FULL;
import static io.amebo.registry.core.schema.CompatibilityMode.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SchemaCompatibilityTest {

    private static final JsonMapper JSON = new JsonMapper();

    /** The user.created schema of the seed example. */
    private static final String USER_CREATED = """
            {
              "type": "object",
              "properties": {
                "user_id": {"type": "string"},
                "email": {"type": "string", "format": "email"},
                "name": {"type": "string"},
                "plan": {"type": "string", "enum": ["free", "premium"]}
              },
              "required": ["user_id", "email", "name"]
            }
            """;

    @Test
    void parsesModeNamesInAnyCaseAndNothingElse() {
        assertThat(CompatibilityMode.parse("backward")).contains(BACKWARD);
        assertThat(CompatibilityMode.parse("Forward")).contains(FORWARD);
        assertThat(CompatibilityMode.parse("FULL")).contains(FULL);
        assertThat(CompatibilityMode.parse("none")).contains(NONE);
        assertThat(CompatibilityMode.parse("full_transitive")).isEmpty();
        assertThat(CompatibilityMode.parse("")).isEmpty();
        assertThat(CompatibilityMode.parse(null)).isEmpty();
        assertThat(CompatibilityMode.parse("bac\u212Award")).isEmpty();
    }

    @Test
    void noneAcceptsEveryChange() {
        assertThat(check("""
                {"type": "string"}""", """
                {"type": "integer"}""", NONE)).isEmpty();
    }

    @Test
    void theSeedSchemaIsCompatibleWithItselfInEveryMode() {
        for (CompatibilityMode mode : CompatibilityMode.values()) {
            assertThat(check(USER_CREATED, USER_CREATED, mode)).isEmpty();
        }
    }

    @Test
    void fullReportsTheIncompatibilitiesOfBothDirections() {
        String next = """
                {
                  "type": "object",
                  "properties": {
                    "user_id": {"type": "string"},
                    "email": {"type": "string", "format": "email"},
                    "name": {"type": "string"},
                    "plan": {"type": "string", "enum": ["free", "premium", "enterprise"]}
                  },
                  "required": ["user_id", "email", "name", "plan"]
                }
                """;

        assertThat(check(USER_CREATED, next, FULL))
                .containsExactly(
                        at("/properties/plan", "property 'plan' became required"),
                        at("/properties/plan", "allowed value \"enterprise\" was added"));
    }

    @Test
    void addingAPlanToTheSeedBreaksForwardButNotBackward() {
        String next = USER_CREATED.replace("[\"free\", \"premium\"]", "[\"free\", \"premium\", \"enterprise\"]");

        assertThat(check(USER_CREATED, next, BACKWARD)).isEmpty();
        assertThat(check(USER_CREATED, next, FORWARD))
                .containsExactly(at("/properties/plan", "allowed value \"enterprise\" was added"));
    }

    @Test
    void makingThePlanRequiredInTheSeedBreaksBackwardButNotForward() {
        String next = USER_CREATED.replace("\"name\"]", "\"name\", \"plan\"]");

        assertThat(check(USER_CREATED, next, BACKWARD))
                .containsExactly(at("/properties/plan", "property 'plan' became required"));
        assertThat(check(USER_CREATED, next, FORWARD)).isEmpty();
    }

    /** The seed is open, so old events may already carry created_at, with any value. */
    @Test
    void addingCreatedAtToTheOpenSeedBreaksBackwardButNotForward() {
        String next = USER_CREATED.replace(
                "\"plan\": {", "\"created_at\": {\"type\": \"string\", \"format\": \"date-time\"},\n\"plan\": {");

        assertThat(check(USER_CREATED, next, BACKWARD))
                .containsExactly(at(
                        "/properties/created_at",
                        "property 'created_at' was added, but the previous schema allowed any value under that name"));
        assertThat(check(USER_CREATED, next, FORWARD)).isEmpty();
    }

    @Test
    void addingCreatedAtToAClosedSeedBreaksForwardButNotBackward() {
        String closed = USER_CREATED.replace("\"required\"", "\"additionalProperties\": false, \"required\"");
        String next = closed.replace(
                "\"plan\": {", "\"created_at\": {\"type\": \"string\", \"format\": \"date-time\"},\n\"plan\": {");

        assertThat(check(closed, next, BACKWARD)).isEmpty();
        assertThat(check(closed, next, FORWARD))
                .containsExactly(at(
                        "/properties/created_at",
                        "property 'created_at' was added, but the previous schema allows no additional properties"));
    }

    @Test
    void droppingTheEmailFormatFromTheSeedBreaksForwardButNotBackward() {
        String next = USER_CREATED.replace(", \"format\": \"email\"", "");

        assertThat(check(USER_CREATED, next, BACKWARD)).isEmpty();
        assertThat(check(USER_CREATED, next, FORWARD))
                .containsExactly(at("/properties/email", "format \"email\" was removed"));
    }

    @Test
    void addingAnOptionalPropertyToAnOpenSchemaBreaksBackwardButNotForward() {
        String previous = """
                {"type": "object", "properties": {"id": {"type": "string"}}}""";
        String next = """
                {"type": "object", "properties": {"id": {"type": "string"}, "nickname": {"type": "string"}}}""";

        assertThat(check(previous, next, BACKWARD))
                .containsExactly(at(
                        "/properties/nickname",
                        "property 'nickname' was added, but the previous schema allowed any value under that name"));
        assertThat(check(previous, next, FORWARD)).isEmpty();
    }

    @Test
    void addingAnOptionalPropertyToAClosedSchemaBreaksForwardButNotBackward() {
        String previous = """
                {"type": "object", "properties": {"id": {"type": "string"}}, "additionalProperties": false}""";
        String next = """
                {
                  "type": "object",
                  "properties": {"id": {"type": "string"}, "nickname": {"type": "string"}},
                  "additionalProperties": false
                }""";

        assertThat(check(previous, next, BACKWARD)).isEmpty();
        assertThat(check(previous, next, FORWARD))
                .containsExactly(at(
                        "/properties/nickname",
                        "property 'nickname' was added, but the previous schema allows no additional properties"));
    }

    @Test
    void addingAnOptionalPropertyThatAdditionalPropertiesAlreadyDescribedIsBackwardAndForwardCompatible() {
        String previous = """
                {
                  "type": "object",
                  "properties": {"id": {"type": "string"}},
                  "additionalProperties": {"type": "string"}
                }""";
        String next = """
                {
                  "type": "object",
                  "properties": {"id": {"type": "string"}, "nickname": {"type": "string"}},
                  "additionalProperties": {"type": "string"}
                }""";

        assertThat(check(previous, next, FULL)).isEmpty();
    }

    @Test
    void removingAnOptionalPropertyFromAnOpenSchemaBreaksForwardButNotBackward() {
        String previous = """
                {"type": "object", "properties": {"id": {"type": "string"}, "nickname": {"type": "string"}}}""";
        String next = """
                {"type": "object", "properties": {"id": {"type": "string"}}}""";

        assertThat(check(previous, next, BACKWARD)).isEmpty();
        assertThat(check(previous, next, FORWARD))
                .containsExactly(at(
                        "/properties/nickname",
                        "property 'nickname' was removed, so the new schema allows any value under that name"));
    }

    @Test
    void removingAnOptionalPropertyFromAClosedSchemaBreaksBackwardButNotForward() {
        String previous = """
                {
                  "type": "object",
                  "properties": {"id": {"type": "string"}, "nickname": {"type": "string"}},
                  "additionalProperties": false
                }""";
        String next = """
                {"type": "object", "properties": {"id": {"type": "string"}}, "additionalProperties": false}""";

        assertThat(check(previous, next, BACKWARD))
                .containsExactly(at(
                        "/properties/nickname",
                        "property 'nickname' was removed and the new schema allows no additional properties"));
        assertThat(check(previous, next, FORWARD)).isEmpty();
    }

    @Test
    void addingARequiredPropertyBreaksBackwardButNotForward() {
        String previous = """
                {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}""";
        String next = """
                {
                  "type": "object",
                  "properties": {"id": {"type": "string"}, "tenant": {"type": "string"}},
                  "required": ["id", "tenant"]
                }""";

        assertThat(check(previous, next, BACKWARD))
                .containsExactly(
                        at("/properties/tenant", "required property 'tenant' was added"),
                        at(
                                "/properties/tenant",
                                "property 'tenant' was added, but the previous schema allowed any value under that"
                                        + " name"));
        assertThat(check(previous, next, FORWARD)).isEmpty();
    }

    @Test
    void makingAPropertyRequiredBreaksBackwardButNotForward() {
        String optional = """
                {"type": "object", "properties": {"id": {"type": "string"}}}""";
        String required = """
                {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}""";

        assertThat(check(optional, required, BACKWARD))
                .containsExactly(at("/properties/id", "property 'id' became required"));
        assertThat(check(optional, required, FORWARD)).isEmpty();
    }

    @Test
    void makingAPropertyOptionalBreaksForwardButNotBackward() {
        String required = """
                {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}""";
        String optional = """
                {"type": "object", "properties": {"id": {"type": "string"}}}""";

        assertThat(check(required, optional, BACKWARD)).isEmpty();
        assertThat(check(required, optional, FORWARD))
                .containsExactly(at("/properties/id", "property 'id' is no longer required"));
    }

    @Test
    void closingAnOpenSchemaBreaksBackwardButNotForward() {
        String open = """
                {"type": "object", "properties": {"id": {"type": "string"}}}""";
        String closed = """
                {"type": "object", "properties": {"id": {"type": "string"}}, "additionalProperties": false}""";

        assertThat(check(open, closed, BACKWARD))
                .containsExactly(at("/additionalProperties", "additional properties are no longer allowed"));
        assertThat(check(open, closed, FORWARD)).isEmpty();
    }

    @Test
    void openingAClosedSchemaBreaksForwardButNotBackward() {
        String closed = """
                {"type": "object", "properties": {"id": {"type": "string"}}, "additionalProperties": false}""";
        String open = """
                {"type": "object", "properties": {"id": {"type": "string"}}, "additionalProperties": true}""";

        assertThat(check(closed, open, BACKWARD)).isEmpty();
        assertThat(check(closed, open, FORWARD))
                .containsExactly(at(
                        "/additionalProperties",
                        "additional properties became allowed, but the previous schema rejects them"));
    }

    @Test
    void turningAdditionalPropertiesFromASchemaToFalseBreaksBackwardButNotForward() {
        String described = """
                {"type": "object", "additionalProperties": {"type": "string"}}""";
        String closed = """
                {"type": "object", "additionalProperties": false}""";

        assertThat(check(described, closed, BACKWARD))
                .containsExactly(at("/additionalProperties", "additional properties are no longer allowed"));
        assertThat(check(described, closed, FORWARD)).isEmpty();
    }

    @Test
    void narrowingAdditionalPropertiesToASchemaBreaksBackwardButNotForward() {
        String open = """
                {"type": "object"}""";
        String described = """
                {"type": "object", "additionalProperties": {"type": "integer"}}""";

        assertThat(check(open, described, BACKWARD))
                .containsExactly(at("/additionalProperties", "type changed from any to integer"));
        assertThat(check(open, described, FORWARD)).isEmpty();
    }

    @Test
    void wideningIntegerToNumberBreaksForwardButNotBackward() {
        String integer = property("amount", """
                {"type": "integer"}""");
        String number = property("amount", """
                {"type": "number"}""");

        assertThat(check(integer, number, BACKWARD)).isEmpty();
        assertThat(check(integer, number, FORWARD))
                .containsExactly(at("/properties/amount", "type changed from integer to number"));
    }

    @Test
    void narrowingNumberToIntegerBreaksBackwardButNotForward() {
        String number = property("amount", """
                {"type": "number"}""");
        String integer = property("amount", """
                {"type": "integer"}""");

        assertThat(check(number, integer, BACKWARD))
                .containsExactly(at("/properties/amount", "type changed from number to integer"));
        assertThat(check(number, integer, FORWARD)).isEmpty();
    }

    @Test
    void addingATypeToATypeArrayBreaksForwardButNotBackward() {
        String single = property("nickname", """
                {"type": "string"}""");
        String nullable = property("nickname", """
                {"type": ["string", "null"]}""");

        assertThat(check(single, nullable, BACKWARD)).isEmpty();
        assertThat(check(single, nullable, FORWARD))
                .containsExactly(at("/properties/nickname", "type changed from string to [string, null]"));
    }

    @Test
    void droppingTheTypeBreaksForwardButNotBackward() {
        String typed = property("note", """
                {"type": "string"}""");
        String untyped = property("note", """
                {"description": "anything goes"}""");

        assertThat(check(typed, untyped, BACKWARD)).isEmpty();
        assertThat(check(typed, untyped, FORWARD))
                .containsExactly(at("/properties/note", "type changed from string to any"));
    }

    @Test
    void changingToAnUnrelatedTypeBreaksBothDirectionsAndFullSaysSoOnce() {
        String text = property("user_id", """
                {"type": "string"}""");
        String integer = property("user_id", """
                {"type": "integer"}""");
        Incompatibility changed = at("/properties/user_id", "type changed from string to integer");

        assertThat(check(text, integer, BACKWARD)).containsExactly(changed);
        assertThat(check(text, integer, FORWARD)).containsExactly(changed);
        assertThat(check(text, integer, FULL)).containsExactly(changed);
    }

    @Test
    void removingAnEnumValueBreaksBackwardButNotForward() {
        String two = property("plan", """
                {"type": "string", "enum": ["free", "premium"]}""");
        String one = property("plan", """
                {"type": "string", "enum": ["free"]}""");

        assertThat(check(two, one, BACKWARD))
                .containsExactly(at("/properties/plan", "allowed value \"premium\" was removed"));
        assertThat(check(two, one, FORWARD)).isEmpty();
    }

    @Test
    void addingAnEnumToAnUnrestrictedPropertyBreaksBackwardButNotForward() {
        String unrestricted = property("plan", """
                {"type": "string"}""");
        String restricted = property("plan", """
                {"type": "string", "enum": ["free", "premium"]}""");

        assertThat(check(unrestricted, restricted, BACKWARD))
                .containsExactly(at("/properties/plan", "values were restricted to [\"free\", \"premium\"]"));
        assertThat(check(unrestricted, restricted, FORWARD)).isEmpty();
    }

    @Test
    void wideningAConstToAnEnumBreaksForwardButNotBackward() {
        String constant = property("version", """
                {"const": 1}""");
        String enumeration = property("version", """
                {"enum": [1.0, 2]}""");

        assertThat(check(constant, enumeration, BACKWARD)).isEmpty();
        assertThat(check(constant, enumeration, FORWARD))
                .containsExactly(at("/properties/version", "allowed value 2 was added"));
    }

    @Test
    void anEnumWithoutATypeProducesOnlyTheTypesOfItsValues() {
        String enumeration = property("plan", """
                {"enum": ["free", "premium"]}""");
        String text = property("plan", """
                {"type": "string"}""");

        assertThat(check(enumeration, text, BACKWARD)).isEmpty();
        assertThat(check(enumeration, text, FORWARD))
                .containsExactly(at("/properties/plan", "values are no longer restricted to [\"free\", \"premium\"]"));
    }

    @Test
    void changesInNestedObjectsAreReportedWhereTheyAre() {
        String previous = """
                {
                  "type": "object",
                  "properties": {
                    "address": {
                      "type": "object",
                      "properties": {"city": {"type": "string"}, "zip": {"type": "string"}}
                    }
                  }
                }""";
        String next = """
                {
                  "type": "object",
                  "properties": {
                    "address": {
                      "type": "object",
                      "properties": {"city": {"type": "string"}, "zip": {"type": "integer"}},
                      "required": ["city"]
                    }
                  }
                }""";

        assertThat(check(previous, next, BACKWARD))
                .containsExactly(
                        at("/properties/address/properties/city", "property 'city' became required"),
                        at("/properties/address/properties/zip", "type changed from string to integer"));
        assertThat(check(previous, next, FORWARD))
                .containsExactly(at("/properties/address/properties/zip", "type changed from string to integer"));
    }

    @Test
    void changesInArrayItemsAreReportedUnderItems() {
        String previous = """
                {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}""";
        String next = """
                {
                  "type": "array",
                  "items": {"type": "object", "properties": {"sku": {"type": "string", "maxLength": 12}}}
                }""";

        assertThat(check(previous, next, BACKWARD))
                .containsExactly(at("/items/properties/sku", "maxLength 12 was added"));
        assertThat(check(previous, next, FORWARD)).isEmpty();
    }

    @Test
    void prefixItemsAreComparedPositionByPosition() {
        String previous = """
                {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}""";
        String next = """
                {"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}], "items": false}""";

        assertThat(check(previous, next, BACKWARD))
                .containsExactly(at("/items", "the new schema accepts no value here"));
        assertThat(check(previous, next, FORWARD))
                .containsExactly(at("/prefixItems/1", "type changed from integer to number"));
    }

    @Test
    void pointersEscapeSlashAndTildeInPropertyNames() {
        String previous = property("a/b~c", """
                {"type": "string"}""");
        String next = property("a/b~c", """
                {"type": "boolean"}""");

        assertThat(check(previous, next, BACKWARD))
                .containsExactly(at("/properties/a~1b~0c", "type changed from string to boolean"));
    }

    @Test
    void tighteningNumericBoundsBreaksBackwardButNotForward() {
        String loose = """
                {"type": "number", "minimum": 0, "maximum": 100}""";
        String tight = """
                {"type": "number", "minimum": 1, "maximum": 50.0}""";

        assertThat(check(loose, tight, BACKWARD))
                .containsExactly(at("", "minimum changed from 0 to 1"), at("", "maximum changed from 100 to 50"));
        assertThat(check(loose, tight, FORWARD)).isEmpty();
    }

    @Test
    void anExclusiveBoundIsTighterThanAnEqualInclusiveOne() {
        String inclusive = """
                {"type": "number", "minimum": 0}""";
        String exclusive = """
                {"type": "number", "exclusiveMinimum": 0}""";

        assertThat(check(inclusive, exclusive, BACKWARD))
                .containsExactly(at("", "minimum changed from 0 to 0 (exclusive)"));
        assertThat(check(inclusive, exclusive, FORWARD)).isEmpty();
    }

    @Test
    void tighteningStringLengthBreaksBackwardButNotForward() {
        String loose = """
                {"type": "string", "maxLength": 100}""";
        String tight = """
                {"type": "string", "minLength": 1, "maxLength": 50}""";

        assertThat(check(loose, tight, BACKWARD))
                .containsExactly(at("", "minLength 1 was added"), at("", "maxLength changed from 100 to 50"));
        assertThat(check(loose, tight, FORWARD)).isEmpty();
    }

    @Test
    void tighteningArrayLengthBreaksBackwardButNotForward() {
        String loose = """
                {"type": "array", "items": {"type": "string"}}""";
        String tight = """
                {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 10, "uniqueItems": true}""";

        assertThat(check(loose, tight, BACKWARD))
                .containsExactly(
                        at("", "minItems 1 was added"),
                        at("", "maxItems 10 was added"),
                        at("", "array items must now be unique"));
        assertThat(check(loose, tight, FORWARD)).isEmpty();
    }

    @Test
    void addingAPatternBreaksBackwardButNotForward() {
        String free = """
                {"type": "string"}""";
        String patterned = """
                {"type": "string", "pattern": "^[a-z]+$"}""";

        assertThat(check(free, patterned, BACKWARD)).containsExactly(at("", "pattern \"^[a-z]+$\" was added"));
        assertThat(check(free, patterned, FORWARD)).isEmpty();
    }

    @Test
    void changingAPatternBreaksBothDirectionsEvenWhenItWidens() {
        String narrow = """
                {"type": "string", "pattern": "^[a-z]+$"}""";
        String wide = """
                {"type": "string", "pattern": "^[a-z0-9]+$"}""";
        Incompatibility changed = at("", "pattern changed from \"^[a-z]+$\" to \"^[a-z0-9]+$\"");

        assertThat(check(narrow, wide, BACKWARD)).containsExactly(changed);
        assertThat(check(narrow, wide, FORWARD)).containsExactly(changed);
    }

    @Test
    void addingAFormatBreaksBackwardButNotForward() {
        String free = """
                {"type": "string"}""";
        String formatted = """
                {"type": "string", "format": "uuid"}""";

        assertThat(check(free, formatted, BACKWARD)).containsExactly(at("", "format \"uuid\" was added"));
        assertThat(check(free, formatted, FORWARD)).isEmpty();
    }

    @Test
    void theTrueSchemaReadsEverythingButIsReadByNothingNarrower() {
        String typed = """
                {"type": "string"}""";

        assertThat(check(typed, "true", BACKWARD)).isEmpty();
        assertThat(check(typed, "true", FORWARD)).containsExactly(at("", "type changed from string to any"));
    }

    @Test
    void theFalseSchemaProducesNothingAndReadsNothing() {
        String typed = """
                {"type": "string"}""";

        assertThat(check("false", typed, BACKWARD)).isEmpty();
        assertThat(check("false", typed, FORWARD))
                .containsExactly(at("", "the previous schema accepted no value here"));
        assertThat(check(property("legacy", typed), property("legacy", "false"), BACKWARD))
                .containsExactly(at("/properties/legacy", "the new schema accepts no value here"));
    }

    @Test
    void addingAnAnyOfBreaksBackwardButNotForward() {
        String plain = """
                {"type": "string"}""";
        String combined = """
                {"type": "string", "anyOf": [{"format": "email"}, {"format": "uuid"}]}""";

        assertThat(check(plain, combined, BACKWARD))
                .containsExactly(at("", "'anyOf' was added, which cannot be proven compatible"));
        assertThat(check(plain, combined, FORWARD)).isEmpty();
    }

    @Test
    void changingAOneOfBreaksBothDirectionsEvenWhenItWidens() {
        String narrow = property("id", """
                {"oneOf": [{"type": "string"}, {"type": "integer"}]}""");
        String wide = property("id", """
                {"oneOf": [{"type": "string"}, {"type": "number"}]}""");
        Incompatibility changed = at("/properties/id", "'oneOf' changed, which cannot be proven compatible");

        assertThat(check(narrow, wide, FULL)).containsExactly(changed);
    }

    @Test
    void unchangedUnmodelledKeywordsDoNotHideOtherChanges() {
        String previous = """
                {
                  "type": "object",
                  "properties": {"kind": {"enum": ["a", "b"]}},
                  "patternProperties": {"^x-": {"type": "string"}},
                  "if": {"properties": {"kind": {"const": "a"}}},
                  "then": {"required": ["detail"]},
                  "not": {"required": ["forbidden"]}
                }""";
        String next = previous.replace("[\"a\", \"b\"]", "[\"a\", \"b\", \"c\"]");

        assertThat(check(previous, next, BACKWARD)).isEmpty();
        assertThat(check(previous, next, FORWARD))
                .containsExactly(at("/properties/kind", "allowed value \"c\" was added"));
    }

    @Test
    void aReferenceThatIsTheWholeSubschemaIsFollowedToItsTarget() {
        String previous = """
                {
                  "$defs": {
                    "address": {
                      "type": "object",
                      "properties": {"street": {"type": "string"}, "zip": {"type": "string"}}
                    }
                  },
                  "type": "object",
                  "properties": {"billing": {"$ref": "#/$defs/address"}, "shipping": {"$ref": "#/$defs/address"}}
                }""";
        String next = previous.replace(
                "\"zip\": {\"type\": \"string\"}}", "\"zip\": {\"type\": \"string\"}}, \"required\": [\"zip\"]");

        assertThat(check(previous, next, BACKWARD))
                .containsExactly(
                        at("/properties/billing/properties/zip", "property 'zip' became required"),
                        at("/properties/shipping/properties/zip", "property 'zip' became required"));
        assertThat(check(previous, next, FORWARD)).isEmpty();
    }

    @Test
    void aReferenceBesideOtherKeywordsIsCompatibleOnlyWhenItAndItsTargetAreUnchanged() {
        String previous = """
                {
                  "$defs": {"money": {"type": "number", "minimum": 0}},
                  "type": "object",
                  "properties": {
                    "total": {"$ref": "#/$defs/money", "maximum": 1000000},
                    "note": {"type": "string"}
                  }
                }""";
        String noteChanged = previous.replace("\"note\": {\"type\": \"string\"}", "\"note\": {\"type\": \"integer\"}");
        String targetChanged = previous.replace("\"minimum\": 0", "\"minimum\": 1");

        assertThat(check(previous, noteChanged, BACKWARD))
                .containsExactly(at("/properties/note", "type changed from string to integer"));
        assertThat(check(previous, targetChanged, FORWARD))
                .containsExactly(
                        at("/properties/total", "a subschema with '$ref' changed, which cannot be proven compatible"));
    }

    @Test
    void aReferenceThatCannotBeFollowedIsNeverProvenCompatible() {
        String previous = """
                {"type": "object", "properties": {"total": {"$ref": "money.json"}, "note": {"type": "string"}}}""";
        String next = previous.replace("\"note\": {\"type\": \"string\"}", "\"note\": {}");

        assertThat(check(previous, previous, FULL)).isEmpty();
        assertThat(check(previous, next, BACKWARD))
                .containsExactly(at(
                        "/properties/total",
                        "'$ref' \"money.json\" cannot be followed, so it cannot be proven compatible"));
    }

    @Test
    void aDefinitionReusedThroughManyReferencesIsReportedAtMostOncePerReference() {
        int depth = 30;
        int fanOut = 10;
        String previous = chainOfDefinitions(depth, fanOut, "string");
        String next = chainOfDefinitions(depth, fanOut, "integer");

        List<Incompatibility> found = check(previous, next, FULL);

        assertThat(found).hasSizeLessThanOrEqualTo(depth * fanOut);
        assertThat(found.get(0)).isEqualTo(at("/properties/p0".repeat(depth), "type changed from string to integer"));
    }

    @Test
    void aRecursiveSchemaIsComparedWithoutEndlessRecursion() {
        String previous = """
                {
                  "type": "object",
                  "properties": {
                    "label": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#"}}
                  }
                }""";
        String next = previous.replace(
                "\"label\": {\"type\": \"string\"}", "\"label\": {\"type\": \"string\", \"maxLength\": 20}");

        assertThat(check(previous, next, BACKWARD)).containsExactly(at("/properties/label", "maxLength 20 was added"));
        assertThat(check(previous, next, FORWARD)).isEmpty();
    }

    @Test
    void changingTheDialectCannotBeProvenCompatible() {
        String draft7 = """
                {"$schema": "http://json-schema.org/draft-07/schema#", "type": "string"}""";
        String current = """
                {"type": "string"}""";

        assertThat(check(draft7, current, BACKWARD))
                .containsExactly(at(
                        "",
                        "the JSON Schema dialect changed from http://json-schema.org/draft-07/schema to"
                                + " https://json-schema.org/draft/2020-12/schema, which cannot be proven compatible"));
    }

    private static List<Incompatibility> check(String previous, String next, CompatibilityMode mode) {
        return SchemaCompatibility.check(schema(previous), schema(next), mode);
    }

    private static JsonNode schema(String json) {
        return JSON.readTree(json);
    }

    /** Definitions d0 to d{depth}, each d{i} an object whose fanOut properties all refer to d{i+1}. */
    private static String chainOfDefinitions(int depth, int fanOut, String lastType) {
        StringBuilder defs = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            List<String> properties = new ArrayList<>();
            for (int j = 0; j < fanOut; j++) {
                properties.add("\"p" + j + "\": {\"$ref\": \"#/$defs/d" + (i + 1) + "\"}");
            }
            defs.append("\"d" + i + "\": {\"type\": \"object\", \"properties\": {" + String.join(", ", properties)
                    + "}}, ");
        }
        return "{\"$defs\": {" + defs + "\"d" + depth + "\": {\"type\": \"" + lastType
                + "\"}}, \"$ref\": \"#/$defs/d0\"}";
    }

    /** An object schema with one property. */
    private static String property(String name, String schema) {
        return "{\"type\": \"object\", \"properties\": {" + JSON.writeValueAsString(name) + ": " + schema + "}}";
    }

    private static Incompatibility at(String pointer, String message) {
        return new Incompatibility(pointer, message);
    }
}
