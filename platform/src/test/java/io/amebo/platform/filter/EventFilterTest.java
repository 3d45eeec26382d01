package io.amebo.platform.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.contract.Problem.FieldError;
import io.amebo.platform.filter.EventFilter.InvalidFilterException;
import io.amebo.platform.filter.EventFilter.Subject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class EventFilterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");

    private static final String ORDER = """
            {"order_id": "o1", "user_id": "u1", "total": 120, "currency": "EUR",
             "customer": {"plan": "premium", "address": {"city": "Lagos", "tags": ["vip", "early"]}},
             "items": [{"sku": "book-1", "quantity": 2}, {"sku": "pen-9", "quantity": 1, "gift": true}],
             "discount": null}""";

    @Test
    void aBareValueMeansEqualAndEveryMemberMustHold() {
        assertThat(matches("{\"payload.currency\": \"EUR\", \"payload.total\": 120}"))
                .isTrue();
        assertThat(matches("{\"payload.currency\": \"EUR\", \"payload.total\": 121}"))
                .isFalse();
        assertThat(matches("{\"payload.total\": 120.0}"))
                .as("numbers equal by value")
                .isTrue();
        assertThat(matches("{\"payload.total\": \"120\"}"))
                .as("a string is not a number")
                .isFalse();
    }

    @Test
    void comparesNumbersWithNumbersAndStringsWithStrings() {
        assertThat(matches("{\"payload.total\": {\"$gte\": 100, \"$lt\": 120.5}}"))
                .isTrue();
        assertThat(matches("{\"payload.total\": {\"$gt\": 120}}")).isFalse();
        assertThat(matches("{\"payload.total\": {\"$lte\": 120}}")).isTrue();
        assertThat(matches("{\"payload.currency\": {\"$gt\": \"CHF\", \"$lt\": \"GBP\"}}"))
                .isTrue();
        assertThat(matches("{\"payload.total\": {\"$gt\": \"100\"}}"))
                .as("other pairs never match")
                .isFalse();
    }

    @Test
    void followsDottedPathsIntoNestedObjectsAndArrays() {
        assertThat(matches("{\"payload.customer.plan\": {\"$in\": [\"premium\", \"gold\"]}}"))
                .isTrue();
        assertThat(matches("{\"payload.customer.address.city\": \"Lagos\"}")).isTrue();
        // a name applied to an array looks into each element; a number picks one
        assertThat(matches("{\"payload.items.sku\": \"pen-9\"}")).isTrue();
        assertThat(matches("{\"payload.items.0.sku\": \"pen-9\"}")).isFalse();
        assertThat(matches("{\"payload.items.1.sku\": \"pen-9\"}")).isTrue();
        assertThat(matches("{\"payload.items.quantity\": {\"$gte\": 2}}")).isTrue();
        // a field holding an array equals a value when one of its elements does, or the whole array
        assertThat(matches("{\"payload.customer.address.tags\": \"vip\"}")).isTrue();
        assertThat(matches("{\"payload.customer.address.tags\": [\"vip\", \"early\"]}"))
                .isTrue();
        assertThat(matches("{\"payload.customer.address.tags\": {\"$nin\": [\"banned\"]}}"))
                .isTrue();
        assertThat(matches("{\"payload.customer.address.tags\": {\"$in\": [\"banned\", \"early\"]}}"))
                .isTrue();
    }

    @Test
    void aMissingFieldMatchesOnlyExistsFalseNeAndNin() {
        assertThat(matches("{\"payload.coupon\": \"X\"}")).isFalse();
        assertThat(matches("{\"payload.coupon\": {\"$gt\": 0}}")).isFalse();
        assertThat(matches("{\"payload.coupon\": {\"$prefix\": \"\"}}")).isFalse();
        assertThat(matches("{\"payload.coupon\": {\"$exists\": false}}")).isTrue();
        assertThat(matches("{\"payload.coupon\": {\"$ne\": \"X\"}}")).isTrue();
        assertThat(matches("{\"payload.coupon\": {\"$nin\": [\"X\"]}}")).isTrue();
        assertThat(matches("{\"payload.customer.plan.level\": {\"$exists\": true}}"))
                .as("below a string")
                .isFalse();
        assertThat(matches("{\"payload.items.5.sku\": {\"$exists\": true}}")).isFalse();
        // null is a value that is there
        assertThat(matches("{\"payload.discount\": {\"$exists\": true}}")).isTrue();
        assertThat(matches("{\"payload.discount\": null}")).isTrue();
    }

    @Test
    void combinesWithAndOrAndNot() {
        assertThat(matches(
                        "{\"$or\": [{\"payload.total\": {\"$gt\": 1000}}, {\"payload.customer.plan\": \"premium\"}]}"))
                .isTrue();
        assertThat(matches("{\"$and\": [{\"payload.total\": {\"$gt\": 100}}, {\"payload.currency\": \"USD\"}]}"))
                .isFalse();
        assertThat(matches("{\"$not\": {\"payload.currency\": \"USD\"}}")).isTrue();
        assertThat(matches("{\"payload.total\": {\"$not\": {\"$gte\": 100}}}")).isFalse();
        assertThat(matches("{\"payload.currency\": {\"$not\": {\"$in\": [\"USD\", \"GBP\"]}}}"))
                .isTrue();
    }

    @Test
    void readsTheEventsAttributesBesideThePayload() {
        assertThat(matches("{\"action\": \"order.placed\", \"application\": {\"$prefix\": \"order-\"}}"))
                .isTrue();
        assertThat(matches("{\"application\": {\"$suffix\": \"-service\"}}")).isTrue();
        assertThat(matches("{\"deduper\": {\"$exists\": false}}")).isTrue();
        assertThat(matches("{\"key\": \"u1\"}")).isTrue();
        assertThat(matches(
                        "{\"timestamped\": {\"$gte\": \"2026-03-01T00:00:00Z\", \"$lt\": \"2026-03-02T00:00:00Z\"}}"))
                .isTrue();
        assertThat(matches("{\"timestamped\": {\"$gt\": \"2026-03-01T12:00:00.001Z\"}}"))
                .isFalse();
        assertThat(matches("{\"payload.order_id\": {\"$prefix\": \"o\", \"$suffix\": \"1\"}}"))
                .isTrue();
    }

    @Test
    void refusesWhatIsNotAFilterNamingEveryPlace() {
        assertThat(errors("[1]")).extracting(FieldError::pointer).containsExactly("/filter");
        assertThat(errors("""
                        {"payload.total": {"$gte": 1, "$regex": "x"}, "user": 1, "payload..x": 1,
                         "action.name": "x", "payload.plan": {"$in": []}, "$nor": [], "payload.a": {"$exists": "yes"},
                         "timestamped": {"$gt": "yesterday"}, "payload.b": {"$gt": {}}, "payload.c": {"$not": 5},
                         "payload.d": {"$eq": 1, "x": 2}, "payload.e/f": {"$prefix": 1}}"""))
                .extracting(FieldError::pointer)
                .containsExactlyInAnyOrder(
                        "/filter/payload.total/$regex",
                        "/filter/user",
                        "/filter/payload..x",
                        "/filter/action.name",
                        "/filter/payload.plan/$in",
                        "/filter/$nor",
                        "/filter/payload.a/$exists",
                        "/filter/timestamped/$gt",
                        "/filter/payload.b/$gt",
                        "/filter/payload.c/$not",
                        "/filter/payload.d",
                        "/filter/payload.e~1f/$prefix");
    }

    @Test
    void refusesFiltersTooLargeToEvaluateCheaply() {
        StringBuilder wide = new StringBuilder("{");
        for (int i = 0; i < 101; i++) {
            wide.append(i == 0 ? "" : ",").append("\"payload.f").append(i).append("\": 1");
        }
        assertThat(errors(wide.append('}').toString())).isNotEmpty();
        String deep = "{\"payload.x\": 1}";
        for (int i = 0; i < 12; i++) {
            deep = "{\"$not\": " + deep + "}";
        }
        assertThat(errors(deep)).isNotEmpty();
    }

    @Test
    void neverFailsWhateverThePayloadHolds() {
        long seed = Long.getLong("amebo.test.seed", System.nanoTime());
        System.out.println("EventFilterTest seed: " + seed);
        Random random = new Random(seed);
        List<EventFilter> filters = new ArrayList<>();
        for (String f : List.of(
                "{\"payload.a.b\": {\"$gt\": 1}}",
                "{\"payload.a\": {\"$in\": [1, \"x\", null, [1], {\"k\": 1}]}}",
                "{\"payload.a.0.b\": {\"$prefix\": \"x\"}}",
                "{\"payload\": {\"$ne\": {}}}",
                "{\"$or\": [{\"payload.a\": {\"$exists\": true}}, {\"payload.a.b.c\": {\"$lte\": \"m\"}}]}",
                "{\"timestamped\": {\"$gte\": \"2026-01-01T00:00:00Z\"}, \"key\": {\"$suffix\": \"1\"}}")) {
            filters.add(EventFilter.parse(JSON.readTree(f), "/filter"));
        }
        for (int i = 0; i < 2000; i++) {
            JsonNode payload = randomValue(random, 0);
            Subject subject = new Subject(
                    "a", random.nextBoolean() ? "app" : null, null, random.nextBoolean() ? "k1" : null, null, payload);
            for (EventFilter filter : filters) {
                filter.matches(subject); // must answer, never throw
            }
        }
    }

    private static JsonNode randomValue(Random random, int depth) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        switch (depth > 3 ? random.nextInt(5) : random.nextInt(7)) {
            case 0:
                return nodes.numberNode(random.nextInt(5));
            case 1:
                return nodes.stringNode(random.nextBoolean() ? "x" : "m");
            case 2:
                return nodes.nullNode();
            case 3:
                return nodes.booleanNode(random.nextBoolean());
            case 4:
                return nodes.numberNode(random.nextDouble());
            case 5: {
                ArrayNode array = nodes.arrayNode();
                for (int i = random.nextInt(3); i > 0; i--) {
                    array.add(randomValue(random, depth + 1));
                }
                return array;
            }
            default: {
                ObjectNode object = nodes.objectNode();
                for (String name : List.of("a", "b", "c", "0")) {
                    if (random.nextBoolean()) {
                        object.set(name, randomValue(random, depth + 1));
                    }
                }
                return object;
            }
        }
    }

    private static boolean matches(String filter) {
        Subject order = new Subject("order.placed", "order-service", null, "u1", AT, JSON.readTree(ORDER));
        return EventFilter.parse(JSON.readTree(filter), "/filter").matches(order);
    }

    private static List<FieldError> errors(String filter) {
        try {
            EventFilter.parse(JSON.readTree(filter), "/filter");
        } catch (InvalidFilterException e) {
            return e.errors();
        }
        throw new AssertionError("the filter parsed, but should not have: " + filter);
    }
}
