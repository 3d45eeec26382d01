package io.amebo.platform.filter;

import io.amebo.contract.Problem.FieldError;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A subscription's filter: which events it receives, in the Mongo-style JSON that Convoy's and Outpost's users know.
 *
 * <pre>{@code
 * {"payload.plan": {"$in": ["premium"]}, "payload.total": {"$gte": 100}}
 * {"$or": [{"payload.items.sku": "book-1"}, {"application": {"$prefix": "shop-"}}]}
 * }</pre>
 *
 * <ul>
 *   <li>A member names a field: {@code payload} or a dotted path into it ({@code payload.address.city}; a number
 *       indexes an array, {@code payload.items.0.sku}; any other name applied to an array looks into each of its
 *       elements), or one of the event's attributes {@code action}, {@code application}, {@code deduper}, {@code key},
 *       {@code timestamped}. Its value is an operator object, or a bare value meaning {@code $eq}.
 *   <li>Operators: {@code $eq $ne $gt $gte $lt $lte $in $nin $exists $prefix $suffix $not}; several in one object must
 *       all hold. {@code $and} and {@code $or} take a list of filters, {@code $not} a filter or an operator object.
 *   <li>Equality is JSON equality, with numbers by value ({@code 1} equals {@code 1.0}); a field holding an array
 *       equals a value when the array does or one of its elements does. {@code $gt} and friends compare numbers with
 *       numbers, strings with strings, and {@code timestamped} with ISO-8601 times; other pairs never match.
 *   <li>A field that is missing matches nothing except {@code $exists: false}, {@code $ne} and {@code $nin} (it is not
 *       equal to anything). Evaluation never fails: whatever a payload holds, the answer is true or false.
 * </ul>
 *
 * Instances are immutable and thread-safe; {@link #parse} checks everything that can be checked without a schema
 * (see {@link FilterSchemaCheck} for the rest).
 */
public final class EventFilter {

    /** The attributes a filter may name besides {@code payload}. */
    public static final Set<String> ATTRIBUTES = Set.of("action", "application", "deduper", "key", "timestamped");

    private static final int MAX_CONDITIONS = 100;
    private static final int MAX_DEPTH = 10;
    private static final int MAX_PATH_SEGMENTS = 32;

    private final Condition condition;
    private final List<PayloadPath> payloadPaths;

    private EventFilter(Condition condition, List<PayloadPath> payloadPaths) {
        this.condition = condition;
        this.payloadPaths = List.copyOf(payloadPaths);
    }

    /** What a filter is tested against: one event. */
    public record Subject(
            String action, String application, String deduper, String key, Instant timestamped, JsonNode payload) {}

    /**
     * A path into the payload that the filter reads, with the operators it applies there: what
     * {@link FilterSchemaCheck} holds against the action's schema.
     *
     * @param pointer where in the filter document the path is named
     * @param segments the path below {@code payload}, empty for the payload itself
     * @param operators each operator with its operand, as written
     */
    public record PayloadPath(String pointer, List<String> segments, Map<String, JsonNode> operators) {}

    /** A filter that does not parse, with every problem found, each naming where it is. */
    public static final class InvalidFilterException extends RuntimeException {
        private final List<FieldError> errors;

        InvalidFilterException(List<FieldError> errors) {
            super(errors.get(0).pointer() + ": " + errors.get(0).message(), null, false, false);
            this.errors = List.copyOf(errors);
        }

        public List<FieldError> errors() {
            return errors;
        }
    }

    /**
     * Parses a filter document.
     *
     * @param pointer where the document sits in the request body (e.g. {@code /filter}), for the errors' pointers
     * @throws InvalidFilterException naming every problem
     */
    public static EventFilter parse(JsonNode document, String pointer) {
        Parser parser = new Parser();
        Condition condition = parser.filter(document, pointer, 0);
        if (!parser.errors.isEmpty()) {
            throw new InvalidFilterException(parser.errors);
        }
        return new EventFilter(condition, parser.paths);
    }

    /** Whether the event passes the filter. */
    public boolean matches(Subject event) {
        return condition.test(event);
    }

    /** The payload paths the filter reads, for {@link FilterSchemaCheck}. */
    public List<PayloadPath> payloadPaths() {
        return payloadPaths;
    }

    // ---- the parsed form ----

    private sealed interface Condition {
        boolean test(Subject event);
    }

    private record All(List<Condition> conditions) implements Condition {
        @Override
        public boolean test(Subject event) {
            for (Condition c : conditions) {
                if (!c.test(event)) {
                    return false;
                }
            }
            return true;
        }
    }

    private record Any(List<Condition> conditions) implements Condition {
        @Override
        public boolean test(Subject event) {
            for (Condition c : conditions) {
                if (c.test(event)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** What a part that did not parse stands for until the errors are thrown. */
    private record Never() implements Condition {
        @Override
        public boolean test(Subject event) {
            return false;
        }
    }

    private record Not(Condition condition) implements Condition {
        @Override
        public boolean test(Subject event) {
            return !condition.test(event);
        }
    }

    /** An operator applied to what a field holds: every value the path reaches, arrays' elements included. */
    private interface Test {
        boolean test(List<JsonNode> values);
    }

    private record Field(String attribute, List<String> segments, Test test) implements Condition {
        @Override
        public boolean test(Subject event) {
            return test.test(values(event));
        }

        private List<JsonNode> values(Subject event) {
            JsonNode root = switch (attribute) {
                case "payload" -> event.payload();
                case "action" -> text(event.action());
                case "application" -> text(event.application());
                case "deduper" -> text(event.deduper());
                case "key" -> text(event.key());
                case "timestamped" ->
                    event.timestamped() == null
                            ? null
                            : text(event.timestamped().toString());
                default -> null;
            };
            List<JsonNode> found = new ArrayList<>();
            if (root != null && !root.isMissingNode()) {
                walk(root, 0, found);
            }
            return found;
        }

        private void walk(JsonNode node, int at, List<JsonNode> found) {
            if (at == segments.size()) {
                found.add(node);
                if (node.isArray()) {
                    node.forEach(found::add); // a field holding an array is tested on its elements too
                }
                return;
            }
            String segment = segments.get(at);
            if (node.isObject()) {
                JsonNode next = node.get(segment);
                if (next != null) {
                    walk(next, at + 1, found);
                }
            } else if (node.isArray()) {
                int index = index(segment);
                if (index >= 0) {
                    JsonNode next = node.get(index);
                    if (next != null) {
                        walk(next, at + 1, found);
                    }
                } else {
                    for (JsonNode element : node) {
                        if (element.isObject()) {
                            walk(element, at, found);
                        }
                    }
                }
            }
        }

        private static JsonNode text(String value) {
            return value == null ? null : tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(value);
        }
    }

    // ---- parsing ----

    private static final class Parser {
        final List<FieldError> errors = new ArrayList<>();
        final List<PayloadPath> paths = new ArrayList<>();
        int conditions;

        /** A filter object: its members all hold. */
        Condition filter(JsonNode node, String pointer, int depth) {
            if (node == null || !node.isObject()) {
                return fail(pointer, "must be a filter object, e.g. {\"payload.plan\": \"premium\"}");
            }
            if (depth > MAX_DEPTH) {
                return fail(pointer, "nests deeper than " + MAX_DEPTH + " levels");
            }
            List<Condition> all = new ArrayList<>();
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                String name = member.getKey();
                String at = pointer + "/" + escape(name);
                JsonNode value = member.getValue();
                switch (name) {
                    case "$and", "$or" -> {
                        if (!value.isArray() || value.isEmpty()) {
                            all.add(fail(at, "must be a non-empty list of filter objects"));
                            continue;
                        }
                        List<Condition> parts = new ArrayList<>();
                        for (int i = 0; i < value.size(); i++) {
                            parts.add(filter(value.get(i), at + "/" + i, depth + 1));
                        }
                        all.add(name.equals("$and") ? new All(parts) : new Any(parts));
                    }
                    case "$not" -> all.add(new Not(filter(value, at, depth + 1)));
                    default -> {
                        if (name.startsWith("$")) {
                            all.add(fail(at, "is not an operator that may stand here; use $and, $or or $not"));
                        } else {
                            all.add(field(name, value, at, depth));
                        }
                    }
                }
            }
            return all.size() == 1 ? all.get(0) : new All(all);
        }

        Condition field(String name, JsonNode value, String pointer, int depth) {
            if (++conditions > MAX_CONDITIONS) {
                return fail(pointer, "a filter may test at most " + MAX_CONDITIONS + " fields");
            }
            List<String> segments = new ArrayList<>(List.of(name.split("\\.", -1)));
            String attribute = segments.remove(0);
            if (segments.stream().anyMatch(String::isEmpty) || segments.size() > MAX_PATH_SEGMENTS) {
                return fail(
                        pointer,
                        "is not a dotted path: names separated by single dots, at most " + MAX_PATH_SEGMENTS + " deep");
            }
            if (!attribute.equals("payload") && !ATTRIBUTES.contains(attribute)) {
                return fail(
                        pointer,
                        "names no field of an event: use payload, payload.<path>, or one of "
                                + String.join(", ", ATTRIBUTES.stream().sorted().toList()));
            }
            if (!attribute.equals("payload") && !segments.isEmpty()) {
                return fail(pointer, attribute + " is text: it has no fields below it");
            }
            Map<String, JsonNode> operators = new java.util.LinkedHashMap<>();
            Test test = operators(value, pointer, attribute.equals("timestamped"), operators, depth);
            if (attribute.equals("payload")) {
                paths.add(new PayloadPath(pointer, List.copyOf(segments), Map.copyOf(operators)));
            }
            return new Field(attribute, List.copyOf(segments), test);
        }

        /** An operator object (all its operators hold), or a bare value meaning {@code $eq}. */
        Test operators(JsonNode value, String pointer, boolean time, Map<String, JsonNode> seen, int depth) {
            if (!isOperatorObject(value)) {
                if (value.isObject()
                        && value.properties().stream().anyMatch(e -> e.getKey().startsWith("$"))) {
                    fail(pointer, "mixes operators ($...) with plain members: write one or the other");
                    return values -> false;
                }
                seen.put("$eq", value);
                return equalTo(value);
            }
            List<Test> all = new ArrayList<>();
            for (Map.Entry<String, JsonNode> member : value.properties()) {
                String op = member.getKey();
                JsonNode operand = member.getValue();
                String at = pointer + "/" + escape(op);
                seen.put(op, operand);
                all.add(operator(op, operand, at, time, depth));
            }
            return values -> {
                for (Test t : all) {
                    if (!t.test(values)) {
                        return false;
                    }
                }
                return true;
            };
        }

        Test operator(String op, JsonNode operand, String pointer, boolean time, int depth) {
            switch (op) {
                case "$eq" -> {
                    return equalTo(operand);
                }
                case "$ne" -> {
                    Test eq = equalTo(operand);
                    return values -> !eq.test(values);
                }
                case "$in", "$nin" -> {
                    if (!operand.isArray() || operand.isEmpty()) {
                        fail(pointer, "must be a non-empty list of values");
                        return values -> false;
                    }
                    List<Test> any = new ArrayList<>();
                    operand.forEach(v -> any.add(equalTo(v)));
                    Test in = values -> any.stream().anyMatch(t -> t.test(values));
                    return op.equals("$in") ? in : values -> !in.test(values);
                }
                case "$gt", "$gte", "$lt", "$lte" -> {
                    return ordered(op, operand, pointer, time);
                }
                case "$exists" -> {
                    if (!operand.isBoolean()) {
                        fail(pointer, "must be true or false");
                        return values -> false;
                    }
                    boolean wanted = operand.booleanValue();
                    return values -> !values.isEmpty() == wanted;
                }
                case "$prefix", "$suffix" -> {
                    if (!operand.isString()) {
                        fail(pointer, "must be a string");
                        return values -> false;
                    }
                    String affix = operand.stringValue();
                    boolean prefix = op.equals("$prefix");
                    return values -> values.stream()
                            .anyMatch(v -> v.isString()
                                    && (prefix
                                            ? v.stringValue().startsWith(affix)
                                            : v.stringValue().endsWith(affix)));
                }
                case "$not" -> {
                    if (!isOperatorObject(operand)) {
                        fail(pointer, "must be an operator object, e.g. {\"$in\": [...]}");
                        return values -> false;
                    }
                    if (depth > MAX_DEPTH) {
                        fail(pointer, "nests deeper than " + MAX_DEPTH + " levels");
                        return values -> false;
                    }
                    Test inner = operators(operand, pointer, time, new java.util.LinkedHashMap<>(), depth + 1);
                    return values -> !inner.test(values);
                }
                default -> {
                    fail(
                            pointer,
                            "is not an operator; use $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $prefix,"
                                    + " $suffix or $not");
                    return values -> false;
                }
            }
        }

        Test ordered(String op, JsonNode operand, String pointer, boolean time) {
            java.util.function.IntPredicate accept = switch (op) {
                case "$gt" -> c -> c > 0;
                case "$gte" -> c -> c >= 0;
                case "$lt" -> c -> c < 0;
                default -> c -> c <= 0;
            };
            if (time) {
                Instant bound = operand.isString() ? instant(operand.stringValue()) : null;
                if (bound == null) {
                    fail(pointer, "must be an ISO-8601 time, e.g. 2026-01-01T00:00:00Z");
                    return values -> false;
                }
                return values -> values.stream().anyMatch(v -> {
                    Instant at = v.isString() ? instant(v.stringValue()) : null;
                    return at != null && accept.test(at.compareTo(bound));
                });
            }
            if (operand.isNumber()) {
                BigDecimal bound = operand.decimalValue();
                return values -> values.stream()
                        .anyMatch(v ->
                                v.isNumber() && accept.test(v.decimalValue().compareTo(bound)));
            }
            if (operand.isString()) {
                String bound = operand.stringValue();
                return values -> values.stream()
                        .anyMatch(
                                v -> v.isString() && accept.test(v.stringValue().compareTo(bound)));
            }
            fail(pointer, "must be a number or a string");
            return values -> false;
        }

        Condition fail(String pointer, String message) {
            errors.add(new FieldError(pointer, message));
            return new Never();
        }
    }

    private static Test equalTo(JsonNode expected) {
        return values -> {
            for (JsonNode v : values) {
                if (same(v, expected)) {
                    return true;
                }
            }
            return false;
        };
    }

    /** JSON equality, numbers by value. */
    static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            Iterator<Map.Entry<String, JsonNode>> members = a.properties().iterator();
            while (members.hasNext()) {
                Map.Entry<String, JsonNode> member = members.next();
                JsonNode other = b.get(member.getKey());
                if (other == null || !same(member.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static boolean isOperatorObject(JsonNode value) {
        return value.isObject()
                && !value.isEmpty()
                && value.properties().stream().allMatch(e -> e.getKey().startsWith("$"));
    }

    private static int index(String segment) {
        if (segment.isEmpty() || segment.length() > 9 || !segment.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(segment);
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A JSON Pointer reference token. */
    static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
