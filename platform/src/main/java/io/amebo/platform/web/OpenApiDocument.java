package io.amebo.platform.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourcePatternResolver;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A service's OpenAPI 3.1 description, assembled once at startup from hand-written fragments: every
 * {@code openapi/*.yaml} on the classpath (platform's {@code common.yaml} and one per service) whose
 * {@value #SERVED_BY} names an auto-configuration that is active in this context. So a service serves its own routes
 * and the operating endpoints, and the standalone, which runs every service's configuration, the union. The routes
 * are functional ({@code RouterFunction}s), which no annotation scanner reads; the ITs hold the fragments to the
 * routes the running context really has, in both directions.
 *
 * <p>Merging is strict: two fragments that describe the same method on the same path, define one component name two
 * ways, or give a top-level member two values stop the service at startup with both fragments' names.
 */
public final class OpenApiDocument {

    /** Where the fragments are. */
    public static final String FRAGMENTS = "classpath*:openapi/*.yaml";

    /**
     * The top-level member of a fragment that names the configuration class serving its routes; a fragment without it
     * is not one of ours and is left out. Removed from the served document.
     */
    public static final String SERVED_BY = "x-amebo-served-by";

    private static final Set<String> METHODS =
            Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final List<String> ORDER =
            List.of("openapi", "info", "jsonSchemaDialect", "servers", "security", "tags", "paths", "webhooks");

    /** One fragment: its file name (for messages) and its content. */
    public record Fragment(String name, ObjectNode content) {

        /** The configuration class named by {@value #SERVED_BY}, or null. */
        public String servedBy() {
            JsonNode servedBy = content.get(SERVED_BY);
            return servedBy == null || !servedBy.isString() ? null : servedBy.asString();
        }
    }

    private final ObjectNode document;
    private final byte[] json;
    private final byte[] yaml;

    private OpenApiDocument(ObjectNode document, YAMLMapper yamlMapper) {
        this.document = document;
        this.json =
                JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsBytes(document);
        this.yaml = yamlMapper.writeValueAsBytes(document);
    }

    /**
     * Loads every fragment under {@link #FRAGMENTS} whose configuration {@code active} accepts, and merges them
     * (fragments in file-name order). Fails when a fragment does not parse or the fragments conflict.
     */
    public static OpenApiDocument load(ResourcePatternResolver resolver, Predicate<String> active) {
        YAMLMapper yaml = yamlMapper();
        List<Fragment> fragments = new ArrayList<>();
        try {
            for (Resource resource : resolver.getResources(FRAGMENTS)) {
                Fragment fragment = read(yaml, resource);
                if (fragment.servedBy() != null && active.test(fragment.servedBy())) {
                    fragments.add(fragment);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI fragments " + FRAGMENTS + " cannot be listed", e);
        }
        fragments.sort(Comparator.comparing(Fragment::name));
        return new OpenApiDocument(merge(fragments), yaml);
    }

    /** The merged document (do not change it). */
    public ObjectNode tree() {
        return document;
    }

    /** The document as JSON, for {@code /v3/api-docs}. */
    public byte[] json() {
        return json.clone();
    }

    /** The document as YAML, for {@code /v3/api-docs.yaml}. */
    public byte[] yaml() {
        return yaml.clone();
    }

    /**
     * Merges fragments into one document: {@code paths} and {@code webhooks} operation by operation, {@code components}
     * entry by entry, {@code tags} by name, any other top-level member by value. Identical repeats are fine; anything
     * else that two fragments both say is an {@link IllegalStateException} naming them.
     */
    public static ObjectNode merge(List<Fragment> fragments) {
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        Map<String, String> origins = new LinkedHashMap<>(); // what was merged where → the fragment that said it
        for (Fragment fragment : fragments) {
            for (Map.Entry<String, JsonNode> member : fragment.content().properties()) {
                String key = member.getKey();
                JsonNode value = member.getValue();
                switch (key) {
                    case SERVED_BY -> {}
                    case "paths", "webhooks" -> mergePaths(merged, key, value, fragment.name(), origins);
                    case "components" -> mergeComponents(merged, value, fragment.name(), origins);
                    case "tags" -> mergeTags(merged, value, fragment.name(), origins);
                    default -> put(merged, key, value, key, fragment.name(), origins);
                }
            }
        }
        checkOperationIds(merged);
        return ordered(merged);
    }

    private static void mergePaths(
            ObjectNode merged, String section, JsonNode paths, String fragment, Map<String, String> origins) {
        ObjectNode into = objectMember(merged, section);
        for (Map.Entry<String, JsonNode> path : object(paths, section, fragment).properties()) {
            ObjectNode item = objectMember(into, path.getKey());
            for (Map.Entry<String, JsonNode> member : object(path.getValue(), section + " " + path.getKey(), fragment)
                    .properties()) {
                String what = METHODS.contains(member.getKey())
                        ? member.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey()
                        : section + " " + path.getKey() + " " + member.getKey();
                if (METHODS.contains(member.getKey()) && item.has(member.getKey())) {
                    throw conflict(what, "describe", origins.get(what), fragment);
                }
                put(item, member.getKey(), member.getValue(), what, fragment, origins);
            }
        }
    }

    private static void mergeComponents(
            ObjectNode merged, JsonNode components, String fragment, Map<String, String> origins) {
        ObjectNode into = objectMember(merged, "components");
        for (Map.Entry<String, JsonNode> kind :
                object(components, "components", fragment).properties()) {
            ObjectNode entries = objectMember(into, kind.getKey());
            for (Map.Entry<String, JsonNode> entry : object(kind.getValue(), "components " + kind.getKey(), fragment)
                    .properties()) {
                String what = "components/" + kind.getKey() + "/" + entry.getKey();
                put(entries, entry.getKey(), entry.getValue(), what, fragment, origins);
            }
        }
    }

    private static void mergeTags(ObjectNode merged, JsonNode tags, String fragment, Map<String, String> origins) {
        if (!tags.isArray()) {
            throw new IllegalStateException("OpenAPI fragment " + fragment + ": tags must be a list");
        }
        if (!merged.has("tags")) {
            merged.putArray("tags");
        }
        for (JsonNode tag : tags) {
            String what = "tag " + tag.path("name").asString();
            JsonNode same = null;
            for (JsonNode existing : merged.get("tags")) {
                if (existing.path("name").equals(tag.path("name"))) {
                    same = existing;
                }
            }
            if (same == null) {
                ((ArrayNode) merged.get("tags")).add(tag);
                origins.put(what, fragment);
            } else if (!same.equals(tag)) {
                throw conflict(what, "define differently", origins.get(what), fragment);
            }
        }
    }

    private static void put(
            ObjectNode into, String key, JsonNode value, String what, String fragment, Map<String, String> origins) {
        JsonNode existing = into.get(key);
        if (existing == null) {
            into.set(key, value);
            origins.put(what, fragment);
        } else if (!existing.equals(value)) {
            throw conflict(what, "define differently", origins.get(what), fragment);
        }
    }

    private static void checkOperationIds(ObjectNode merged) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (String section : List.of("paths", "webhooks")) {
            for (Map.Entry<String, JsonNode> path : merged.path(section).properties()) {
                for (Map.Entry<String, JsonNode> member : path.getValue().properties()) {
                    JsonNode id = member.getValue().get("operationId");
                    if (METHODS.contains(member.getKey()) && id != null) {
                        String where = member.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
                        String before = seen.putIfAbsent(id.asString(), where);
                        if (before != null) {
                            throw new IllegalStateException("OpenAPI operationId " + id.asString()
                                    + " is given to both " + before + " and " + where);
                        }
                    }
                }
            }
        }
    }

    /** The top-level members in the order people read them; components last. */
    private static ObjectNode ordered(ObjectNode merged) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String key : ORDER) {
            if (merged.has(key)) {
                out.set(key, merged.get(key));
            }
        }
        for (Map.Entry<String, JsonNode> member : merged.properties()) {
            if (!out.has(member.getKey()) && !member.getKey().equals("components")) {
                out.set(member.getKey(), member.getValue());
            }
        }
        if (merged.has("components")) {
            out.set("components", merged.get("components"));
        }
        return out;
    }

    private static IllegalStateException conflict(String what, String verb, String first, String second) {
        return new IllegalStateException("OpenAPI fragments " + first + " and " + second + " both " + verb + " " + what
                + "; merge them into one");
    }

    private static ObjectNode objectMember(ObjectNode parent, String key) {
        JsonNode existing = parent.get(key);
        return existing instanceof ObjectNode object ? object : parent.putObject(key);
    }

    private static ObjectNode object(JsonNode node, String what, String fragment) {
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw new IllegalStateException("OpenAPI fragment " + fragment + ": " + what + " must be a mapping");
    }

    private static Fragment read(YAMLMapper yaml, Resource resource) {
        String name = resource.getFilename();
        try (InputStream in = resource.getInputStream()) {
            JsonNode content = yaml.readTree(in);
            if (!(content instanceof ObjectNode object)) {
                throw new IllegalStateException("OpenAPI fragment " + name + " is not a YAML mapping");
            }
            return new Fragment(name, object);
        } catch (IOException e) {
            throw new UncheckedIOException("OpenAPI fragment " + name + " cannot be read", e);
        } catch (JacksonException e) {
            throw new IllegalStateException(
                    "OpenAPI fragment " + name + " is not valid YAML: " + e.getOriginalMessage()
                            + (e.getLocation() == null
                                    ? ""
                                    : " (line " + e.getLocation().getLineNr() + ", column "
                                            + e.getLocation().getColumnNr() + ")"),
                    e);
        }
    }

    /** YAML with a key given twice refused, so a fragment cannot silently lose half of itself. */
    static YAMLMapper yamlMapper() {
        return YAMLMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }
}
