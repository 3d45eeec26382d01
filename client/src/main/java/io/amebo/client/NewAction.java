package io.amebo.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An action to register ({@link Actions#create(NewAction)}). Immutable; start from {@link #of} and add what differs
 * from Amebo's defaults:
 *
 * <pre>{@code
 * NewAction.of("user.created", "user-service", schema).withPartitions(6).withPartitionKey("/user_id")
 * }</pre>
 *
 * @param schemata the JSON Schema: a {@code JsonNode}, a {@code Map}, or a {@code String} holding the schema's JSON
 * @param partitions the topic's partitions, or null for the registry's default
 * @param retention how long events are kept ({@code 7d}, {@code 12h}, {@code P30D}, {@code forever}), or null
 * @param partitionKey a JSON pointer into the payload ({@code /user_id}) keying events sent without a key, or null
 * @param compatibility {@code backward} (default), {@code forward}, {@code full} or {@code none}
 * @param subscribers the applications allowed to subscribe (and so to read its events); null for any ("open")
 */
public record NewAction(
        String action,
        String application,
        Object schemata,
        Integer partitions,
        String retention,
        String partitionKey,
        String compatibility,
        String description,
        List<String> subscribers) {

    public NewAction {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(schemata, "schemata");
        subscribers = subscribers == null ? null : List.copyOf(subscribers);
    }

    public static NewAction of(String action, String application, Object schemata) {
        return new NewAction(action, application, schemata, null, null, null, null, null, null);
    }

    public NewAction withPartitions(int partitions) {
        return new NewAction(
                action,
                application,
                schemata,
                partitions,
                retention,
                partitionKey,
                compatibility,
                description,
                subscribers);
    }

    public NewAction withRetention(String retention) {
        return new NewAction(
                action,
                application,
                schemata,
                partitions,
                retention,
                partitionKey,
                compatibility,
                description,
                subscribers);
    }

    public NewAction withPartitionKey(String partitionKey) {
        return new NewAction(
                action,
                application,
                schemata,
                partitions,
                retention,
                partitionKey,
                compatibility,
                description,
                subscribers);
    }

    public NewAction withCompatibility(String compatibility) {
        return new NewAction(
                action,
                application,
                schemata,
                partitions,
                retention,
                partitionKey,
                compatibility,
                description,
                subscribers);
    }

    public NewAction withDescription(String description) {
        return new NewAction(
                action,
                application,
                schemata,
                partitions,
                retention,
                partitionKey,
                compatibility,
                description,
                subscribers);
    }

    public NewAction withSubscribers(List<String> subscribers) {
        return new NewAction(
                action,
                application,
                schemata,
                partitions,
                retention,
                partitionKey,
                compatibility,
                description,
                subscribers);
    }

    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", action);
        body.put("application", application);
        body.put("schemata", schemata);
        putIfSet(body, "partitions", partitions);
        putIfSet(body, "retention", retention);
        putIfSet(body, "partition_key", partitionKey);
        putIfSet(body, "compatibility", compatibility);
        putIfSet(body, "description", description);
        putIfSet(body, "subscribers", subscribers);
        return body;
    }

    static void putIfSet(Map<String, Object> body, String name, Object value) {
        if (value != null) {
            body.put(name, value);
        }
    }
}
