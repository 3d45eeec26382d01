package io.amebo.client;

import static io.amebo.client.Calls.Service.REGISTRY;

import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * {@code /v1/actions} on the registry: register an action (its topic and schema), read, change who may subscribe,
 * add schema versions. Get it from {@link AmeboClient#actions()}.
 */
public final class Actions {

    private static final String PATH = "v1/actions";

    private final Calls calls;

    Actions(Calls calls) {
        this.calls = calls;
    }

    /** Filters for {@link #list(Filter)}; null members filter nothing. Start from {@link #ALL}. */
    public record Filter(String action, String application, String schemata, Instant from, Instant to) {

        public static final Filter ALL = new Filter(null, null, null, null, null);

        /** Names containing this text. */
        public Filter withAction(String action) {
            return new Filter(action, application, schemata, from, to);
        }

        /** Owners whose name contains this text. */
        public Filter withApplication(String application) {
            return new Filter(action, application, schemata, from, to);
        }

        /** Schemas whose JSON contains this text. */
        public Filter withSchemata(String schemata) {
            return new Filter(action, application, schemata, from, to);
        }

        /** Registered in {@code [from, to)}; either may be null. */
        public Filter withRegistered(Instant from, Instant to) {
            return new Filter(action, application, schemata, from, to);
        }

        Query query() {
            return new Query()
                    .add("action", action)
                    .add("application", application)
                    .add("schemata", schemata)
                    .add("from", from)
                    .add("to", to);
        }
    }

    /** Registers {@code action}, owned by {@code application}, with its schema and the registry's defaults. */
    public Action create(String action, String application, Object schemata) {
        return create(NewAction.of(action, application, schemata));
    }

    public Action create(NewAction action) {
        return calls.request("POST", REGISTRY, PATH, action.body(), Idempotency.REFUSED_ONLY, Action.class);
    }

    /** The action with every schema version. */
    public Action get(String action) {
        return calls.get(REGISTRY, Calls.path(PATH, action), Action.class);
    }

    /** Every action, page after page as the stream is consumed. */
    public Stream<Action> list() {
        return list(Filter.ALL);
    }

    public Stream<Action> list(Filter filter) {
        return calls.list(REGISTRY, PATH, filter.query(), Action.class);
    }

    public Action update(String action, ActionUpdate update) {
        return calls.request(
                "PATCH", REGISTRY, Calls.path(PATH, action), update.body(), Idempotency.IDEMPOTENT, Action.class);
    }

    /** Registers the next schema version; 422 naming the incompatibilities if the action's mode refuses it. */
    public SchemaVersion addSchemaVersion(String action, Object schemata) {
        return calls.request(
                "POST",
                REGISTRY,
                Calls.path(PATH, action) + "/schemata",
                Map.of("schemata", schemata),
                Idempotency.REFUSED_ONLY,
                SchemaVersion.class);
    }

    /** One schema version as it was registered (what an event's {@code ce_dataschema} points at). */
    public SchemaVersion getSchemaVersion(String action, int version) {
        JsonNode schema = calls.get(REGISTRY, Calls.path(PATH, action) + "/schemata/" + version, JsonNode.class);
        return new SchemaVersion(action, version, schema);
    }
}
