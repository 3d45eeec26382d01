package io.amebo.registry.core.schema;

import io.amebo.registry.core.schema.SchemaDocument.External;
import io.amebo.registry.core.schema.SchemaDocument.Local;
import io.amebo.registry.core.schema.SchemaDocument.Target;
import io.amebo.registry.core.schema.SchemaDocument.Unresolved;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.BooleanNode;

/**
 * Decides whether a new version of an action's JSON Schema may replace the previous one under a
 * {@link CompatibilityMode}.
 *
 * <p>Every mode rests on one question: does a reader schema accept every document a writer schema accepts? BACKWARD
 * asks it with the new schema reading what the previous one allowed, FORWARD with the previous schema reading what the
 * new one allows, FULL both. The answer is conservative: an empty list means the change is safe, and whatever cannot
 * be proven safe is reported. Keywords mean what draft 2020-12 says; annotations and unknown keywords are ignored.
 */
public final class SchemaCompatibility {

    private static final String DEFAULT_DIALECT = "https://json-schema.org/draft/2020-12/schema";

    private static final List<String> TYPES =
            List.of("null", "boolean", "object", "array", "number", "integer", "string");

    /** Keywords compared by what they mean. */
    private static final Set<String> MODELLED = Set.of(
            "type",
            "enum",
            "const",
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
            "items",
            "prefixItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "minLength",
            "maxLength",
            "pattern",
            "format");

    /**
     * Assertions whose effect is not modelled. Each only narrows what its schema accepts, so a writer's are ignored
     * (a writer's patternProperties also opens its additionalProperties); a reader's must
     * appear unchanged in the writer. The keywords of one group are compared together.
     */
    private static final List<List<String>> UNMODELLED = List.of(
            List.of("allOf"),
            List.of("anyOf"),
            List.of("oneOf"),
            List.of("not"),
            List.of("if", "then", "else"),
            List.of("patternProperties"),
            List.of("propertyNames"),
            List.of("dependentRequired"),
            List.of("dependentSchemas"),
            List.of("dependencies"),
            List.of("unevaluatedProperties"),
            List.of("unevaluatedItems"),
            List.of("contains", "minContains", "maxContains"),
            List.of("additionalItems"));

    /**
     * A subschema that is only a {@code $ref} is replaced by its target. Any other subschema with a reference is
     * compatible only when unchanged, with unchanged targets, because older drafts ignore a reference's siblings.
     */
    private static final List<String> REFERENCES = List.of("$ref", "$dynamicRef", "$recursiveRef");

    private static final Set<String> ASSERTIONS = Stream.of(
                    MODELLED.stream(), UNMODELLED.stream().flatMap(List::stream), REFERENCES.stream())
            .flatMap(keywords -> keywords)
            .collect(Collectors.toUnmodifiableSet());

    /** Longest chain of subschemas that are only a reference; a longer one is treated as unresolved. */
    private static final int MAX_REFERENCE_HOPS = 32;

    private static final Comparator<JsonNode> NUMBERS_BY_VALUE =
            (a, b) -> a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    private SchemaCompatibility() {}

    /**
     * Lists why {@code next} cannot replace {@code previous} under {@code mode}, empty when it can. FULL lists the
     * reasons of both directions once each.
     */
    public static List<Incompatibility> check(JsonNode previous, JsonNode next, CompatibilityMode mode) {
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(mode, "mode");
        if (mode == CompatibilityMode.NONE || previous.equals(next)) {
            return List.of();
        }
        Set<Incompatibility> found = new LinkedHashSet<>();
        String previousDialect = dialect(previous);
        String nextDialect = dialect(next);
        if (!previousDialect.equals(nextDialect)) {
            found.add(new Incompatibility(
                    "",
                    "the JSON Schema dialect changed from " + previousDialect + " to " + nextDialect
                            + ", which cannot be proven compatible"));
        }
        if (mode == CompatibilityMode.BACKWARD || mode == CompatibilityMode.FULL) {
            found.addAll(readerAccepts(next, previous, Direction.BACKWARD));
        }
        if (mode == CompatibilityMode.FORWARD || mode == CompatibilityMode.FULL) {
            found.addAll(readerAccepts(previous, next, Direction.FORWARD));
        }
        return List.copyOf(found);
    }

    /**
     * The core question: can {@code reader} accept every document {@code writer} accepts? Empty when it can. The
     * direction says which of the two is the new schema, so that messages describe the change from previous to next.
     */
    static List<Incompatibility> readerAccepts(JsonNode reader, JsonNode writer, Direction direction) {
        return new Pass(SchemaDocument.of(reader), SchemaDocument.of(writer), direction == Direction.BACKWARD)
                .accepts(reader, writer, "");
    }

    /** BACKWARD: the new schema reads what the previous one allowed. FORWARD: the previous one reads the new. */
    enum Direction {
        BACKWARD,
        FORWARD
    }

    private static String dialect(JsonNode root) {
        JsonNode declared = root.get("$schema");
        String uri = declared != null && declared.isString() ? declared.stringValue() : DEFAULT_DIALECT;
        return uri.endsWith("#") ? uri.substring(0, uri.length() - 1) : uri;
    }

    /** One direction of a check. It remembers the pairs of subschemas it compared, so recursive schemas terminate. */
    private static final class Pass {

        private final SchemaDocument reader;
        private final SchemaDocument writer;
        private final boolean readerIsNext;
        private final Map<Pair, List<Incompatibility>> compared = new HashMap<>();
        private final Set<Pair> provenSame = new HashSet<>();

        Pass(SchemaDocument reader, SchemaDocument writer, boolean readerIsNext) {
            this.reader = reader;
            this.writer = writer;
            this.readerIsNext = readerIsNext;
        }

        List<Incompatibility> accepts(JsonNode readerSchema, JsonNode writerSchema, String at) {
            JsonNode r = followReferences(readerSchema, reader);
            JsonNode w = followReferences(writerSchema, writer);
            Pair pair = new Pair(r, w);
            List<Incompatibility> known = compared.get(pair);
            // A pair met again reports only its first incompatibility, so that a definition reused through many
            // references cannot make the list grow exponentially.
            if (known != null) {
                return known.stream()
                        .limit(1)
                        .map(found -> new Incompatibility(at + found.pointer(), found.message()))
                        .toList();
            }
            // A pair met again while it is still being compared is taken as compatible. Every such cycle passes
            // through a property or an array item, so this finds the largest consistent answer, as for recursive
            // types; if the pair turns out incompatible, the first meeting reports it.
            compared.put(pair, List.of());
            List<Incompatibility> found = compare(r, w, at);
            compared.put(
                    pair,
                    found.stream()
                            .map(f -> new Incompatibility(f.pointer().substring(at.length()), f.message()))
                            .toList());
            return found;
        }

        private List<Incompatibility> compare(JsonNode r, JsonNode w, String at) {
            if (acceptsEverything(r) || isFalse(w) || same(r, w)) {
                return List.of();
            }
            if (!isSchema(r) || !isSchema(w)) {
                return List.of(new Incompatibility(at, "the subschema here is not a valid JSON Schema"));
            }
            if (r.isBoolean()) {
                return List.of(new Incompatibility(
                        at,
                        readerIsNext
                                ? "the new schema accepts no value here"
                                : "the previous schema accepted no value here"));
            }
            List<Incompatibility> found = new ArrayList<>();
            references(r, w, at, found);
            unmodelled(r, w, at, found);
            Set<String> produced = producedTypes(w);
            types(r, w, produced, at, found);
            values(r, w, at, found);
            if (produced.contains("number") || produced.contains("integer")) {
                numbers(r, w, at, found);
            }
            if (produced.contains("string")) {
                strings(r, w, at, found);
            }
            if (produced.contains("array")) {
                arrays(r, w, at, found);
            }
            if (produced.contains("object")) {
                objects(r, w, at, found);
            }
            return found;
        }

        /** Reached only when the two subschemas are not the same, so any reference in them is unproven. */
        private void references(JsonNode r, JsonNode w, String at, List<Incompatibility> found) {
            for (String keyword : REFERENCES) {
                JsonNode inReader = r.get(keyword);
                JsonNode inWriter = w.get(keyword);
                if (inReader == null || inWriter == null) {
                    if (inReader != null || inWriter != null) {
                        found.add(unproven(at, keyword, inReader != null, inWriter != null));
                    }
                } else if (inReader.equals(inWriter) && !followable(keyword, inReader, inWriter)) {
                    found.add(new Incompatibility(
                            at,
                            "'" + keyword + "' " + inReader
                                    + " cannot be followed, so it cannot be proven compatible"));
                } else {
                    found.add(new Incompatibility(
                            at, "a subschema with '" + keyword + "' changed, which cannot be proven compatible"));
                }
            }
        }

        private boolean followable(String keyword, JsonNode inReader, JsonNode inWriter) {
            return keyword.equals("$ref")
                    && inReader.isString()
                    && !(reader.resolve(inReader.stringValue()) instanceof Unresolved)
                    && !(writer.resolve(inWriter.stringValue()) instanceof Unresolved);
        }

        private void unmodelled(JsonNode r, JsonNode w, String at, List<Incompatibility> found) {
            for (List<String> group : UNMODELLED) {
                Optional<String> inReader = group.stream().filter(r::has).findFirst();
                if (inReader.isEmpty()) {
                    continue;
                }
                boolean unchanged = group.stream()
                        .allMatch(keyword -> r.has(keyword)
                                ? w.has(keyword) && same(r.get(keyword), w.get(keyword))
                                : !w.has(keyword));
                if (!unchanged) {
                    found.add(unproven(at, inReader.get(), true, group.stream().anyMatch(w::has)));
                }
            }
            // The tuple form of items (drafts before 2020-12) is compared as a whole.
            JsonNode tuple = r.get("items");
            if (tuple != null && tuple.isArray()) {
                JsonNode writerItems = w.get("items");
                if (writerItems == null || !same(tuple, writerItems)) {
                    found.add(unproven(at, "items", true, writerItems != null));
                }
            }
        }

        /** The reader must accept every type the writer produces; an integer is also a number. */
        private void types(JsonNode r, JsonNode w, Set<String> produced, String at, List<Incompatibility> found) {
            Set<String> accepted = declaredTypes(r);
            boolean covered = produced.stream()
                    .allMatch(type -> accepted.contains(type) || type.equals("integer") && accepted.contains("number"));
            if (!covered) {
                found.add(change(at, "type", describeTypes(r), describeTypes(w)));
            }
        }

        /** A reader's enum or const must hold every value the writer produces; a writer without one produces any. */
        private void values(JsonNode r, JsonNode w, String at, List<Incompatibility> found) {
            List<JsonNode> allowed = finiteValues(r);
            if (allowed == null) {
                return;
            }
            List<JsonNode> produced = producedValues(w);
            if (produced == null) {
                String list = render(allowed);
                found.add(new Incompatibility(
                        at,
                        readerIsNext
                                ? "values were restricted to " + list
                                : "values are no longer restricted to " + list));
                return;
            }
            List<JsonNode> missing = produced.stream()
                    .filter(value -> allowed.stream().noneMatch(a -> a.equals(NUMBERS_BY_VALUE, value)))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            String verb = readerIsNext ? "removed" : "added";
            found.add(new Incompatibility(
                    at,
                    missing.size() == 1
                            ? "allowed value " + missing.get(0) + " was " + verb
                            : "allowed values " + render(missing) + " were " + verb));
        }

        /** A reader's bounds must be no tighter than the writer's; an exclusive bound is tighter than an equal one. */
        private void numbers(JsonNode r, JsonNode w, String at, List<Incompatibility> found) {
            Bound readerLow = lower(r);
            Bound writerLow = lower(w);
            if (readerLow != null && !readerLow.admitsLower(writerLow)) {
                found.add(change(at, "minimum", describe(readerLow), describe(writerLow)));
            }
            Bound readerHigh = upper(r);
            Bound writerHigh = upper(w);
            if (readerHigh != null && !readerHigh.admitsUpper(writerHigh)) {
                found.add(change(at, "maximum", describe(readerHigh), describe(writerHigh)));
            }
            BigDecimal readerStep = number(r, "multipleOf");
            BigDecimal writerStep = number(w, "multipleOf");
            if (readerStep != null
                    && readerStep.signum() > 0
                    && (writerStep == null || writerStep.remainder(readerStep).signum() != 0)) {
                found.add(change(at, "multipleOf", text(readerStep), text(writerStep)));
            }
        }

        /** Patterns and formats are compared as text: only an unchanged one is proven compatible. */
        private void strings(JsonNode r, JsonNode w, String at, List<Incompatibility> found) {
            counts("minLength", "maxLength", r, w, at, found);
            for (String keyword : List.of("pattern", "format")) {
                JsonNode required = r.get(keyword);
                JsonNode given = w.get(keyword);
                if (required != null && !required.equals(given)) {
                    found.add(change(at, keyword, required.toString(), given == null ? null : given.toString()));
                }
            }
        }

        private void arrays(JsonNode r, JsonNode w, String at, List<Incompatibility> found) {
            counts("minItems", "maxItems", r, w, at, found);
            if (isTrue(r.get("uniqueItems")) && !isTrue(w.get("uniqueItems"))) {
                found.add(new Incompatibility(
                        at,
                        readerIsNext ? "array items must now be unique" : "array items no longer need to be unique"));
            }
            JsonNode readerItems = r.get("items");
            if (readerItems != null && readerItems.isArray()) {
                return;
            }
            // A writer's tuple-form items is not modelled: its items are taken to be anything.
            JsonNode writerItems = w.get("items");
            boolean writerTuple = writerItems != null && writerItems.isArray();
            List<JsonNode> readerPrefix = elements(r.get("prefixItems"));
            List<JsonNode> writerPrefix = writerTuple ? List.of() : elements(w.get("prefixItems"));
            JsonNode readerRest = orTrue(readerItems);
            JsonNode writerRest = writerTuple ? BooleanNode.TRUE : orTrue(writerItems);
            for (int i = 0; i < Math.max(readerPrefix.size(), writerPrefix.size()); i++) {
                found.addAll(accepts(
                        i < readerPrefix.size() ? readerPrefix.get(i) : readerRest,
                        i < writerPrefix.size() ? writerPrefix.get(i) : writerRest,
                        at + "/prefixItems/" + i));
            }
            found.addAll(accepts(readerRest, writerRest, at + "/items"));
        }

        /**
         * Each property name is read by the reader's schema for it, or else by the reader's additionalProperties
         * (absent means {@code true}); the writer produces under that name what its own schema for it, or else its
         * additionalProperties, allows. A name the reader requires must be required by the writer.
         */
        private void objects(JsonNode r, JsonNode w, String at, List<Incompatibility> found) {
            counts("minProperties", "maxProperties", r, w, at, found);
            Map<String, JsonNode> readerProperties = properties(r);
            Map<String, JsonNode> writerProperties = properties(w);
            Set<String> writerRequired = textElements(w.get("required"));
            for (String name : textElements(r.get("required"))) {
                if (!writerRequired.contains(name)) {
                    found.add(new Incompatibility(
                            at + "/properties/" + escape(name),
                            requiredMessage(name, writerProperties.containsKey(name))));
                }
            }
            JsonNode readerRest = orTrue(r.get("additionalProperties"));
            // Names that match a writer's patternProperties escape its additionalProperties: take them as anything.
            JsonNode writerRest = w.has("patternProperties") ? BooleanNode.TRUE : orTrue(w.get("additionalProperties"));
            Set<String> names = new LinkedHashSet<>(readerProperties.keySet());
            names.addAll(writerProperties.keySet());
            for (String name : names) {
                String there = at + "/properties/" + escape(name);
                JsonNode readerProperty = readerProperties.get(name);
                JsonNode writerProperty = writerProperties.get(name);
                if (readerProperty != null && writerProperty != null) {
                    found.addAll(accepts(readerProperty, writerProperty, there));
                } else if (writerProperty != null) {
                    if (!accepts(readerRest, writerProperty, there).isEmpty()) {
                        found.add(new Incompatibility(there, listedOnlyByWriter(name, readerRest)));
                    }
                } else if (!accepts(readerProperty, writerRest, there).isEmpty()) {
                    found.add(new Incompatibility(there, listedOnlyByReader(name, writerRest)));
                }
            }
            List<Incompatibility> rest = accepts(readerRest, writerRest, at + "/additionalProperties");
            if (isFalse(readerRest) && !rest.isEmpty()) {
                found.add(new Incompatibility(
                        at + "/additionalProperties",
                        readerIsNext
                                ? "additional properties are no longer allowed"
                                : "additional properties became allowed, but the previous schema rejects them"));
            } else {
                found.addAll(rest);
            }
        }

        private String requiredMessage(String name, boolean listedByWriter) {
            String quoted = "'" + name + "'";
            if (readerIsNext) {
                return listedByWriter
                        ? "property " + quoted + " became required"
                        : "required property " + quoted + " was added";
            }
            return listedByWriter
                    ? "property " + quoted + " is no longer required"
                    : "required property " + quoted + " was removed";
        }

        private String listedOnlyByWriter(String name, JsonNode readerRest) {
            String quoted = "'" + name + "'";
            if (isFalse(readerRest)) {
                return readerIsNext
                        ? "property " + quoted + " was removed and the new schema allows no additional properties"
                        : "property " + quoted + " was added, but the previous schema allows no additional properties";
            }
            return readerIsNext
                    ? "property " + quoted + " was removed and the new schema's additionalProperties rejects some of"
                            + " its values"
                    : "property " + quoted + " was added with values the previous schema's additionalProperties"
                            + " rejects";
        }

        private String listedOnlyByReader(String name, JsonNode writerRest) {
            String quoted = "'" + name + "'";
            boolean anything = acceptsEverything(writerRest);
            if (readerIsNext) {
                return anything
                        ? "property " + quoted + " was added, but the previous schema allowed any value under that name"
                        : "property " + quoted + " was added, but the previous schema's additionalProperties allowed"
                                + " other values under that name";
            }
            return anything
                    ? "property " + quoted + " was removed, so the new schema allows any value under that name"
                    : "property " + quoted + " was removed, so the new schema's additionalProperties allows values"
                            + " under that name that the previous schema rejects";
        }

        /** A reader's minimum count must be at most the writer's, its maximum at least the writer's. */
        private void counts(String min, String max, JsonNode r, JsonNode w, String at, List<Incompatibility> found) {
            BigDecimal readerMin = number(r, min);
            BigDecimal writerMin = number(w, min);
            if (readerMin != null
                    && readerMin.signum() > 0
                    && (writerMin == null || writerMin.compareTo(readerMin) < 0)) {
                found.add(change(at, min, text(readerMin), text(writerMin)));
            }
            BigDecimal readerMax = number(r, max);
            BigDecimal writerMax = number(w, max);
            if (readerMax != null && (writerMax == null || writerMax.compareTo(readerMax) > 0)) {
                found.add(change(at, max, text(readerMax), text(writerMax)));
            }
        }

        /** Describes a keyword's change from the previous schema to the new one; null means the keyword is absent. */
        private Incompatibility change(String at, String keyword, String inReader, String inWriter) {
            String previous = readerIsNext ? inWriter : inReader;
            String next = readerIsNext ? inReader : inWriter;
            String message = previous == null
                    ? keyword + " " + next + " was added"
                    : next == null
                            ? keyword + " " + previous + " was removed"
                            : keyword + " changed from " + previous + " to " + next;
            return new Incompatibility(at, message);
        }

        private Incompatibility unproven(String at, String keyword, boolean inReader, boolean inWriter) {
            boolean inPrevious = readerIsNext ? inWriter : inReader;
            boolean inNext = readerIsNext ? inReader : inWriter;
            String what = !inPrevious ? "was added" : !inNext ? "was removed" : "changed";
            return new Incompatibility(at, "'" + keyword + "' " + what + ", which cannot be proven compatible");
        }

        /** Equal as JSON, where each {@code $ref} leads to equal targets in the two documents. */
        private boolean same(JsonNode r, JsonNode w) {
            Set<Pair> assumed = new HashSet<>();
            boolean same = same(r, w, assumed);
            if (same) {
                provenSame.addAll(assumed);
            }
            return same;
        }

        private boolean same(JsonNode r, JsonNode w, Set<Pair> assumed) {
            if (r.isObject() && w.isObject()) {
                if (r.size() != w.size()) {
                    return false;
                }
                for (Map.Entry<String, JsonNode> entry : r.properties()) {
                    JsonNode other = w.get(entry.getKey());
                    if (other == null) {
                        return false;
                    }
                    boolean reference = REFERENCES.contains(entry.getKey())
                            && entry.getValue().isString()
                            && other.isString();
                    boolean equal = reference
                            ? sameTarget(entry.getKey(), entry.getValue().stringValue(), other.stringValue(), assumed)
                            : same(entry.getValue(), other, assumed);
                    if (!equal) {
                        return false;
                    }
                }
                return true;
            }
            if (r.isArray() && w.isArray()) {
                if (r.size() != w.size()) {
                    return false;
                }
                for (int i = 0; i < r.size(); i++) {
                    if (!same(r.get(i), w.get(i), assumed)) {
                        return false;
                    }
                }
                return true;
            }
            return r.equals(w);
        }

        /**
         * Dynamic references depend on the dynamic scope and are never proven the same. Two local targets are taken
         * as the same while they are being compared; a comparison that succeeds proves every pair it assumed.
         */
        private boolean sameTarget(String keyword, String readerReference, String writerReference, Set<Pair> assumed) {
            if (!keyword.equals("$ref")) {
                return false;
            }
            Target readerTarget = reader.resolve(readerReference);
            Target writerTarget = writer.resolve(writerReference);
            if (readerTarget instanceof External readerUri && writerTarget instanceof External writerUri) {
                return readerUri.uri().equals(writerUri.uri());
            }
            if (readerTarget instanceof Local readerLocal && writerTarget instanceof Local writerLocal) {
                Pair pair = new Pair(readerLocal.schema(), writerLocal.schema());
                if (provenSame.contains(pair) || !assumed.add(pair)) {
                    return true;
                }
                return same(readerLocal.schema(), writerLocal.schema(), assumed);
            }
            return false;
        }
    }

    /** Two subschemas by identity: the same JSON may sit at different places and mean different things. */
    private record Pair(JsonNode reader, JsonNode writer) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Pair pair && pair.reader == reader && pair.writer == writer;
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(reader) + System.identityHashCode(writer);
        }
    }

    /** A numeric bound from minimum/exclusiveMinimum or maximum/exclusiveMaximum, in 2020-12 or draft-04 form. */
    private record Bound(BigDecimal value, boolean exclusive) {

        boolean admitsLower(Bound writer) {
            if (writer == null) {
                return false;
            }
            int order = writer.value.compareTo(value);
            return order > 0 || order == 0 && (writer.exclusive || !exclusive);
        }

        boolean admitsUpper(Bound writer) {
            if (writer == null) {
                return false;
            }
            int order = writer.value.compareTo(value);
            return order < 0 || order == 0 && (writer.exclusive || !exclusive);
        }
    }

    private static Bound lower(JsonNode schema) {
        return tighter(bound(schema, "minimum", "exclusiveMinimum"), 1);
    }

    private static Bound upper(JsonNode schema) {
        return tighter(bound(schema, "maximum", "exclusiveMaximum"), -1);
    }

    private static List<Bound> bound(JsonNode schema, String inclusiveKeyword, String exclusiveKeyword) {
        List<Bound> bounds = new ArrayList<>();
        BigDecimal inclusive = number(schema, inclusiveKeyword);
        JsonNode exclusive = schema.get(exclusiveKeyword);
        if (inclusive != null) {
            bounds.add(new Bound(inclusive, isTrue(exclusive)));
        }
        if (exclusive != null && exclusive.isNumber()) {
            bounds.add(new Bound(exclusive.decimalValue(), true));
        }
        return bounds;
    }

    /** The tighter of the bounds: the higher lower bound (sign 1) or the lower upper bound (sign -1). */
    private static Bound tighter(List<Bound> bounds, int sign) {
        Bound tightest = null;
        for (Bound bound : bounds) {
            int order = tightest == null ? 1 : sign * bound.value().compareTo(tightest.value());
            if (order > 0 || order == 0 && bound.exclusive()) {
                tightest = bound;
            }
        }
        return tightest;
    }

    private static String describe(Bound bound) {
        return bound == null ? null : text(bound.value()) + (bound.exclusive() ? " (exclusive)" : "");
    }

    /** The types a writer produces: its declared types, narrowed to those of its enum or const values if it has any. */
    private static Set<String> producedTypes(JsonNode writer) {
        List<JsonNode> values = producedValues(writer);
        if (values == null) {
            return declaredTypes(writer);
        }
        return values.stream().map(SchemaCompatibility::typeOf).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** A writer's enum or const values that its declared types let through, or null when it has neither. */
    private static List<JsonNode> producedValues(JsonNode writer) {
        List<JsonNode> values = finiteValues(writer);
        if (values == null) {
            return null;
        }
        Set<String> declared = declaredTypes(writer);
        return values.stream()
                .filter(value -> declared.contains(typeOf(value))
                        || typeOf(value).equals("integer") && declared.contains("number"))
                .toList();
    }

    /** The values of const, or of enum, or null when a schema has neither; both together allow const if enum does. */
    private static List<JsonNode> finiteValues(JsonNode schema) {
        JsonNode constant = schema.get("const");
        JsonNode enumeration = schema.get("enum");
        List<JsonNode> listed = enumeration != null && enumeration.isArray() ? elements(enumeration) : null;
        if (constant == null) {
            return listed;
        }
        if (listed == null || listed.stream().anyMatch(value -> value.equals(NUMBERS_BY_VALUE, constant))) {
            return List.of(constant);
        }
        return List.of();
    }

    private static Set<String> declaredTypes(JsonNode schema) {
        JsonNode type = schema.get("type");
        if (type != null && type.isString()) {
            return Set.of(type.stringValue());
        }
        if (type != null && type.isArray()) {
            return textElements(type);
        }
        return new LinkedHashSet<>(TYPES);
    }

    private static String describeTypes(JsonNode schema) {
        JsonNode type = schema.get("type");
        if (type != null && type.isString()) {
            return type.stringValue();
        }
        if (type != null && type.isArray()) {
            return "[" + String.join(", ", textElements(type)) + "]";
        }
        return "any";
    }

    /** The JSON Schema type of a value; a number with no fractional part is an integer. */
    private static String typeOf(JsonNode value) {
        if (value.isNumber()) {
            return value.isIntegralNumber()
                            || value.decimalValue().stripTrailingZeros().scale() <= 0
                    ? "integer"
                    : "number";
        }
        if (value.isString()) {
            return "string";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        if (value.isArray()) {
            return "array";
        }
        return value.isObject() ? "object" : "null";
    }

    private static JsonNode followReferences(JsonNode schema, SchemaDocument document) {
        JsonNode current = schema;
        for (int hop = 0; hop < MAX_REFERENCE_HOPS && isOnlyReference(current); hop++) {
            if (!(document.resolve(current.get("$ref").stringValue()) instanceof Local target)) {
                return current;
            }
            current = target.schema();
        }
        return current;
    }

    private static boolean isOnlyReference(JsonNode schema) {
        return schema.isObject()
                && schema.path("$ref").isString()
                && schema.propertyNames().stream().filter(ASSERTIONS::contains).count() == 1;
    }

    private static boolean acceptsEverything(JsonNode schema) {
        return schema.isBoolean()
                ? schema.booleanValue()
                : schema.isObject() && schema.propertyNames().stream().noneMatch(ASSERTIONS::contains);
    }

    private static boolean isSchema(JsonNode node) {
        return node.isObject() || node.isBoolean();
    }

    private static boolean isTrue(JsonNode node) {
        return node != null && node.isBoolean() && node.booleanValue();
    }

    private static boolean isFalse(JsonNode node) {
        return node != null && node.isBoolean() && !node.booleanValue();
    }

    private static JsonNode orTrue(JsonNode schema) {
        return schema == null ? BooleanNode.TRUE : schema;
    }

    private static BigDecimal number(JsonNode schema, String keyword) {
        JsonNode value = schema.get(keyword);
        return value != null && value.isNumber() ? value.decimalValue() : null;
    }

    private static String text(BigDecimal number) {
        return number == null ? null : number.stripTrailingZeros().toPlainString();
    }

    private static Map<String, JsonNode> properties(JsonNode schema) {
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        JsonNode listed = schema.get("properties");
        if (listed != null && listed.isObject()) {
            for (Map.Entry<String, JsonNode> entry : listed.properties()) {
                properties.put(entry.getKey(), entry.getValue());
            }
        }
        return properties;
    }

    private static Set<String> textElements(JsonNode array) {
        Set<String> strings = new LinkedHashSet<>();
        for (JsonNode element : elements(array)) {
            if (element.isString()) {
                strings.add(element.stringValue());
            }
        }
        return strings;
    }

    private static List<JsonNode> elements(JsonNode array) {
        return array != null && array.isArray() ? List.copyOf(array.values()) : List.of();
    }

    private static String render(List<JsonNode> values) {
        return values.stream().map(JsonNode::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    /** Escapes a property name as an RFC 6901 reference token. */
    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
