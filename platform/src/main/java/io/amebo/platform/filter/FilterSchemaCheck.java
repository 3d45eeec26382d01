package io.amebo.platform.filter;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.amebo.contract.Problem.FieldError;
import io.amebo.platform.filter.EventFilter.PayloadPath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Holds a filter against the JSON Schema of the action it filters, when a subscription is made: a payload path that no
 * valid payload can have (a name a closed object does not allow, a field below a string), and an operand that no
 * value of the field can equal (a value outside the field's {@code enum}, a number compared with a field that is
 * always a string) are refused, each naming where it is. A path through an open object (one without
 * {@code additionalProperties: false}) is possible whatever its names, since the schema allows any member there.
 *
 * <p>Local {@code $ref}s ({@code #...}) are followed; {@code allOf} requires every branch to allow a path,
 * {@code anyOf} and {@code oneOf} one branch. What the schema leaves open is allowed: the check refuses only what
 * could never match.
 */
public final class FilterSchemaCheck {

    private static final int MAX_REFS = 32;
    /** The keywords by which a schema itself says what may stand below it. */
    private static final List<String> LOCAL = List.of(
            "type", "properties", "patternProperties", "additionalProperties", "items", "prefixItems", "enum", "const");

    private FilterSchemaCheck() {}

    /** Every path of {@code filter} that {@code schema} cannot hold, or an empty list. */
    public static List<FieldError> check(EventFilter filter, JsonNode schema) {
        List<FieldError> errors = new ArrayList<>();
        for (PayloadPath path : filter.payloadPaths()) {
            List<JsonNode> leaves = new ArrayList<>();
            Optional<String> impossible = walk(schema, schema, path.segments(), 0, leaves, new Walk());
            if (impossible.isPresent()) {
                errors.add(new FieldError(path.pointer(), impossible.get()));
                continue;
            }
            operandProblem(path, leaves).ifPresent(message -> errors.add(new FieldError(path.pointer(), message)));
        }
        return errors;
    }

    /** Counts the {@code $ref}s followed, so that a schema referring to itself cannot loop. */
    private static final class Walk {
        int refs;
    }

    /**
     * Follows {@code segments} from {@code schema}; collects the schemas the path ends at (null for "anything"), or
     * says why no payload can have the path.
     */
    private static Optional<String> walk(
            JsonNode root, JsonNode schema, List<String> segments, int at, List<JsonNode> leaves, Walk walk) {
        if (schema == null || schema.isBoolean()) {
            if (schema != null && !schema.booleanValue()) {
                return Optional.of(path(segments, at) + " can never be present: the schema allows nothing there");
            }
            leaves.add(null);
            return Optional.empty();
        }
        if (schema.has("$ref")) {
            JsonNode target = resolve(root, schema.path("$ref").asString(""));
            if (target == null || ++walk.refs > MAX_REFS) {
                leaves.add(null); // a reference we cannot follow constrains nothing we can see
                return Optional.empty();
            }
            Optional<String> through = walk(root, target, segments, at, leaves, walk);
            if (through.isPresent()) {
                return through;
            }
        }
        if (schema.has("allOf")) {
            for (JsonNode branch : schema.path("allOf")) {
                Optional<String> refused = walk(root, branch, segments, at, leaves, walk);
                if (refused.isPresent()) {
                    return refused;
                }
            }
        }
        for (String choice : List.of("anyOf", "oneOf")) {
            if (schema.has(choice)) {
                Optional<String> last = Optional.empty();
                boolean any = false;
                for (JsonNode branch : schema.path(choice)) {
                    List<JsonNode> found = new ArrayList<>();
                    Optional<String> refused = walk(root, branch, segments, at, found, walk);
                    if (refused.isEmpty()) {
                        any = true;
                        leaves.addAll(found);
                    } else {
                        last = refused;
                    }
                }
                if (!any && last.isPresent()) {
                    return last;
                }
            }
        }
        boolean composed = schema.has("$ref") || schema.has("allOf") || schema.has("anyOf") || schema.has("oneOf");
        boolean local = LOCAL.stream().anyMatch(schema::has);
        if (composed && !local) {
            return Optional.empty(); // all it says, it said through its references and branches
        }
        if (at == segments.size()) {
            leaves.add(schema);
            return Optional.empty();
        }
        Set<String> types = types(schema);
        String segment = segments.get(at);
        boolean index = segment.chars().allMatch(Character::isDigit) && !segment.isEmpty();
        boolean object = types.isEmpty() || types.contains("object");
        boolean array = types.isEmpty() || types.contains("array");
        List<String> why = new ArrayList<>();
        if (object) {
            Optional<String> member = member(root, schema, segments, at, leaves, walk);
            if (member.isEmpty()) {
                return member;
            }
            why.add(member.get());
        }
        if (array) {
            // an index picks one element; any other name looks into every element
            JsonNode items = schema.has("prefixItems") && index
                    ? schema.path("prefixItems").path(Integer.parseInt(segment))
                    : null;
            if (items == null || items.isMissingNode()) {
                items = schema.get("items");
            }
            Optional<String> element = walk(root, items, segments, index ? at + 1 : at, leaves, walk);
            if (element.isEmpty()) {
                return element;
            }
            why.add(element.get());
        }
        if (why.isEmpty()) {
            return Optional.of(path(segments, at + 1) + " can never be present: " + path(segments, at) + " is "
                    + String.join(" or ", types.stream().sorted().toList()) + ", with no fields below it");
        }
        return Optional.of(why.get(0));
    }

    private static Optional<String> member(
            JsonNode root, JsonNode schema, List<String> segments, int at, List<JsonNode> leaves, Walk walk) {
        String name = segments.get(at);
        JsonNode declared = schema.path("properties").get(name);
        if (declared != null) {
            return walk(root, declared, segments, at + 1, leaves, walk);
        }
        boolean patterned = false;
        for (Map.Entry<String, JsonNode> pattern :
                schema.path("patternProperties").properties()) {
            if (matches(pattern.getKey(), name)) {
                patterned = true;
                Optional<String> refused = walk(root, pattern.getValue(), segments, at + 1, leaves, walk);
                if (refused.isPresent()) {
                    return refused;
                }
            }
        }
        if (patterned) {
            return Optional.empty();
        }
        JsonNode additional = schema.get("additionalProperties");
        if (additional == null || additional.isBoolean() && additional.booleanValue()) {
            leaves.add(null); // an open object: any member may be there, holding anything
            return Optional.empty();
        }
        if (additional.isBoolean()) {
            Set<String> known = new HashSet<>();
            schema.path("properties").propertyNames().forEach(known::add);
            return Optional.of(path(segments, at + 1) + " can never be present: the schema allows no member " + name
                    + " there"
                    + (known.isEmpty()
                            ? ""
                            : " (it has "
                                    + String.join(", ", known.stream().sorted().toList()) + ")"));
        }
        return walk(root, additional, segments, at + 1, leaves, walk);
    }

    /** Whether the operands can match a value of the schemas the path ends at. */
    private static Optional<String> operandProblem(PayloadPath path, List<JsonNode> leaves) {
        if (leaves.isEmpty() || leaves.contains(null)) {
            return Optional.empty(); // somewhere the path holds anything
        }
        for (Map.Entry<String, JsonNode> operator : path.operators().entrySet()) {
            String op = operator.getKey();
            JsonNode operand = operator.getValue();
            List<JsonNode> values = new ArrayList<>();
            switch (op) {
                case "$eq", "$ne" -> values.add(operand);
                case "$in", "$nin" -> operand.forEach(values::add);
                case "$gt", "$gte", "$lt", "$lte" -> {
                    String wanted = operand.isNumber() ? "number" : "string";
                    if (leaves.stream().noneMatch(leaf -> allows(leaf, wanted))) {
                        return Optional.of("compares with a " + wanted + ", but "
                                + path(path.segments(), path.segments().size()) + " never holds one");
                    }
                }
                default -> {
                    // $exists, $prefix, $suffix and $not constrain nothing the schema can refute here
                }
            }
            for (JsonNode value : values) {
                if (leaves.stream().noneMatch(leaf -> canEqual(leaf, value))) {
                    return Optional.of(op + " " + value + " can never match: "
                            + path(path.segments(), path.segments().size()) + " is never that value"
                            + enumHint(leaves));
                }
            }
        }
        return Optional.empty();
    }

    private static boolean canEqual(JsonNode schema, JsonNode value) {
        if (schema.has("const") || schema.has("enum")) {
            // only the listed values can be there: the value must be one, or an element of one that is an array
            List<JsonNode> allowed = new ArrayList<>();
            if (schema.has("const")) {
                allowed.add(schema.get("const"));
            } else {
                schema.path("enum").forEach(allowed::add);
            }
            for (JsonNode candidate : allowed) {
                if (EventFilter.same(candidate, value)) {
                    return true;
                }
                if (candidate.isArray()) {
                    for (JsonNode element : candidate) {
                        if (EventFilter.same(element, value)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
        return allows(schema, kind(value)) || arrayMayHold(schema, value);
    }

    /** A field holding an array equals a value when one of its elements does. */
    private static boolean arrayMayHold(JsonNode schema, JsonNode value) {
        Set<String> types = types(schema);
        if (!(types.isEmpty() || types.contains("array"))) {
            return false;
        }
        JsonNode items = schema.get("items");
        return items == null || !items.isObject() || canEqual(items, value);
    }

    private static boolean allows(JsonNode schema, String kind) {
        Set<String> types = types(schema);
        return types.isEmpty()
                || types.contains(kind)
                || kind.equals("number") && types.contains("integer")
                || kind.equals("integer") && types.contains("number");
    }

    private static String kind(JsonNode value) {
        if (value.isIntegralNumber()) {
            return "integer";
        }
        if (value.isNumber()) {
            return "number";
        }
        if (value.isString()) {
            return "string";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        if (value.isNull()) {
            return "null";
        }
        return value.isArray() ? "array" : "object";
    }

    private static String enumHint(List<JsonNode> leaves) {
        for (JsonNode leaf : leaves) {
            if (leaf.has("enum")) {
                return " (it is one of " + leaf.get("enum") + ")";
            }
        }
        return "";
    }

    private static Set<String> types(JsonNode schema) {
        JsonNode type = schema.get("type");
        Set<String> types = new HashSet<>();
        if (type != null && type.isString()) {
            types.add(type.stringValue());
        } else if (type != null && type.isArray()) {
            type.forEach(t -> types.add(t.asString()));
        }
        return types;
    }

    private static boolean matches(String regex, String name) {
        try {
            return Pattern.compile(regex).matcher(name).find();
        } catch (PatternSyntaxException e) {
            return true; // registration refuses such schemas; if one slipped through, it constrains nothing here
        }
    }

    private static JsonNode resolve(JsonNode root, String ref) {
        if (!ref.startsWith("#")) {
            return null; // remote references are never fetched
        }
        JsonNode target = root.at(ref.substring(1));
        return target.isMissingNode() ? null : target;
    }

    /** The payload path of the first {@code upTo} segments, as a filter names it. */
    private static String path(List<String> segments, int upTo) {
        int end = Math.min(upTo, segments.size());
        StringBuilder text = new StringBuilder("payload");
        for (int i = 0; i < end; i++) {
            text.append('.').append(segments.get(i));
        }
        return text.toString();
    }
}
