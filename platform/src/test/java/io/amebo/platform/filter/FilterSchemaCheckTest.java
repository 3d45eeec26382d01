package io.amebo.platform.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.contract.Problem.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class FilterSchemaCheckTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The seed's user.created: an open object. */
    private static final String USER_CREATED = """
            {"type": "object",
             "properties": {"user_id": {"type": "string"}, "email": {"type": "string", "format": "email"},
                            "name": {"type": "string"}, "plan": {"type": "string", "enum": ["free", "premium"]}},
             "required": ["user_id", "email", "name"]}""";

    /** A closed order schema with nested objects, arrays and a local reference. */
    private static final String ORDER = """
            {"type": "object", "additionalProperties": false,
             "$defs": {"item": {"type": "object", "additionalProperties": false,
                                "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer"}}}},
             "properties": {
               "order_id": {"type": "string"}, "total": {"type": "number"},
               "status": {"enum": ["placed", "paid", "shipped"]},
               "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
               "customer": {"type": "object", "properties": {"plan": {"type": "string"}},
                            "additionalProperties": {"type": "integer"}},
               "labels": {"type": "object", "patternProperties": {"^x-": {"type": "string"}},
                          "additionalProperties": false},
               "payment": {"anyOf": [
                   {"type": "object", "properties": {"card": {"type": "string"}}, "additionalProperties": false},
                   {"type": "object", "properties": {"iban": {"type": "string"}}, "additionalProperties": false}]}}}""";

    @Test
    void acceptsWhatTheSchemaCanHold() {
        assertThat(check(USER_CREATED, "{\"payload.plan\": {\"$in\": [\"premium\"]}}"))
                .isEmpty();
        // an open object may hold any member: the seed publishes created_at, which its schema does not declare
        assertThat(check(USER_CREATED, "{\"payload.created_at\": {\"$gte\": \"2026-01-01\"}}"))
                .isEmpty();
        assertThat(check(ORDER, """
                        {"payload.items.sku": "book-1", "payload.items.0.quantity": {"$gte": 2},
                         "payload.customer.plan": "gold", "payload.customer.visits": {"$gt": 3},
                         "payload.labels.x-team": {"$prefix": "a"}, "payload.payment.iban": {"$exists": true},
                         "payload.status": {"$in": ["paid", "shipped"]}, "payload.total": {"$gte": 100},
                         "action": "order.placed", "payload": {"$exists": true}}""")).isEmpty();
    }

    @Test
    void refusesAPathThatNoValidPayloadCanHaveNamingIt() {
        assertThat(check(ORDER, "{\"payload.totl\": {\"$gte\": 100}}"))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.pointer()).isEqualTo("/filter/payload.totl");
                    assertThat(e.message()).contains("payload.totl").contains("total");
                });
        assertThat(check(ORDER, "{\"payload.items.name\": \"x\"}"))
                .extracting(FieldError::pointer)
                .containsExactly("/filter/payload.items.name");
        assertThat(check(ORDER, "{\"payload.order_id.length\": 3}"))
                .singleElement()
                .satisfies(e -> assertThat(e.message()).contains("payload.order_id is string"));
        assertThat(check(ORDER, "{\"payload.labels.team\": \"a\"}")).hasSize(1);
        assertThat(check(ORDER, "{\"payload.payment.cash\": true}")).hasSize(1);
        assertThat(check(USER_CREATED, "{\"payload.plan.tier\": \"x\"}")).hasSize(1);
    }

    @Test
    void refusesAnOperandTheFieldCanNeverEqual() {
        assertThat(check(USER_CREATED, "{\"payload.plan\": \"premum\"}"))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.pointer()).isEqualTo("/filter/payload.plan");
                    assertThat(e.message()).contains("premum").contains("[\"free\",\"premium\"]");
                });
        assertThat(check(USER_CREATED, "{\"payload.plan\": {\"$in\": [\"free\", \"gold\"]}}"))
                .hasSize(1);
        // an enum without a type is just as strict
        assertThat(check(ORDER, "{\"payload.status\": \"payed\"}")).hasSize(1);
        assertThat(check(ORDER, "{\"payload.total\": {\"$gte\": \"100\"}}")).hasSize(1);
        assertThat(check(ORDER, "{\"payload.total\": \"100\"}")).hasSize(1);
        assertThat(check(ORDER, "{\"payload.items.quantity\": 2}")).isEmpty();
        assertThat(check(ORDER, "{\"payload.items.quantity\": 2.5}"))
                .as("an integer field equals 2.5 never, but the check leaves number kinds alone")
                .isEmpty();
    }

    @Test
    void checksPathsInsideAndOrAndNot() {
        assertThat(check(ORDER, "{\"$or\": [{\"payload.total\": 1}, {\"$not\": {\"payload.nope\": 1}}]}"))
                .extracting(FieldError::pointer)
                .containsExactly("/filter/$or/1/$not/payload.nope");
    }

    @Test
    void aSelfReferringSchemaDoesNotLoop() {
        String tree = """
                {"$defs": {"node": {"type": "object", "additionalProperties": false,
                  "properties": {"name": {"type": "string"}, "child": {"$ref": "#/$defs/node"}}}},
                 "$ref": "#/$defs/node"}""";
        assertThat(check(tree, "{\"payload.child.child.child.name\": \"x\"}")).isEmpty();
        assertThat(check(tree, "{\"payload.child.child.kid\": \"x\"}")).hasSize(1);
    }

    private static List<FieldError> check(String schema, String filter) {
        return FilterSchemaCheck.check(EventFilter.parse(JSON.readTree(filter), "/filter"), JSON.readTree(schema));
    }
}
