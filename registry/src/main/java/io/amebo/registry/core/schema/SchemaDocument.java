package io.amebo.registry.core.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * One schema version as a whole, so that a {@code $ref} inside it can be followed.
 *
 * <p>Only references into the same document are followed: {@code #}, {@code #/json/pointer} and {@code #anchor}, also
 * when prefixed by the root's {@code $id}. A document that embeds another resource (an {@code $id} below its root)
 * follows none, because its references may be relative to the embedded resource. A reference to an absolute URI
 * outside the document is external: the same URI is taken to name the same schema in both versions.
 */
record SchemaDocument(JsonNode root, String base, boolean followsLocalReferences) {

    private static final Pattern ABSOLUTE_URI = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    /** Where a reference leads. */
    sealed interface Target permits Local, External, Unresolved {}

    record Local(JsonNode schema) implements Target {}

    record External(String uri) implements Target {}

    record Unresolved() implements Target {}

    static SchemaDocument of(JsonNode root) {
        String id = text(root, "$id");
        String base = id == null ? "" : withoutFragment(id);
        return new SchemaDocument(root, base, root.values().stream().noneMatch(SchemaDocument::declaresId));
    }

    Target resolve(String reference) {
        String local = reference;
        if (!base.isEmpty() && reference.startsWith(base)) {
            String rest = reference.substring(base.length());
            if (rest.isEmpty() || rest.startsWith("#")) {
                local = rest;
            }
        }
        if (!local.isEmpty() && !local.startsWith("#")) {
            return ABSOLUTE_URI.matcher(local).find() ? new External(local) : new Unresolved();
        }
        if (!followsLocalReferences) {
            return new Unresolved();
        }
        String fragment = local.isEmpty() ? "" : local.substring(1);
        if (fragment.isEmpty()) {
            return new Local(root);
        }
        // Percent-encoded fragments are not decoded; such a reference is left unresolved.
        if (fragment.contains("%")) {
            return new Unresolved();
        }
        if (fragment.startsWith("/")) {
            return pointedAt(fragment);
        }
        List<JsonNode> anchored = new ArrayList<>();
        collectAnchors(root, fragment, anchored);
        return anchored.size() == 1 ? new Local(anchored.get(0)) : new Unresolved();
    }

    private Target pointedAt(String pointer) {
        JsonNode target;
        try {
            target = root.at(pointer);
        } catch (IllegalArgumentException e) {
            return new Unresolved();
        }
        return target.isMissingNode() ? new Unresolved() : new Local(target);
    }

    private static boolean declaresId(JsonNode node) {
        if (text(node, "$id") != null) {
            return true;
        }
        return node.values().stream().anyMatch(SchemaDocument::declaresId);
    }

    private static void collectAnchors(JsonNode node, String name, List<JsonNode> anchored) {
        if (name.equals(text(node, "$anchor")) || name.equals(text(node, "$dynamicAnchor"))) {
            anchored.add(node);
        }
        for (JsonNode child : node.values()) {
            collectAnchors(child, name, anchored);
        }
    }

    private static String text(JsonNode node, String keyword) {
        JsonNode value = node.isObject() ? node.get(keyword) : null;
        return value != null && value.isString() ? value.stringValue() : null;
    }

    private static String withoutFragment(String uri) {
        int hash = uri.indexOf('#');
        return hash < 0 ? uri : uri.substring(0, hash);
    }
}
