package io.amebo.registry.store;

import io.amebo.contract.registry.ActionState;
import io.amebo.contract.registry.ApplicationState;
import io.amebo.contract.registry.ApplicationState.SealedSecret;
import io.amebo.contract.registry.SubscriptionState;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The registry's tables in PostgreSQL, over R2DBC with explicit SQL. Every method is one statement; callers
 * compose them in a transaction together with {@link #enqueue} so that the changelog learns of every change.
 * A unique-key violation surfaces as Spring's {@code DataIntegrityViolationException}.
 */
public final class RegistryRepository {

    private final DatabaseClient db;
    private final JsonMapper json;

    public RegistryRepository(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    /** Filters of a list: a column, a {@code LIKE} substring, or a time bound; null values are ignored. */
    public record Filter(String column, String operator, Object value) {
        public static Filter contains(String column, String value) {
            return new Filter(column, "LIKE", value == null ? null : "%" + escapeLike(value) + "%");
        }

        public static Filter equal(String column, Object value) {
            return new Filter(column, "=", value);
        }

        public static Filter atLeast(String column, Instant value) {
            return new Filter(column, ">=", value == null ? null : utc(value));
        }

        public static Filter before(String column, Instant value) {
            return new Filter(column, "<", value == null ? null : utc(value));
        }
    }

    // ---- applications

    public Mono<Void> insertApplication(String name, String address, String sealedSecret, Instant now) {
        return db.sql("INSERT INTO applications (name, address, secret_sealed, created_at, updated_at)"
                        + " VALUES (:name, :address, :secret, :now, :now)")
                .bind("name", name)
                .bind("address", address)
                .bind("secret", sealedSecret)
                .bind("now", utc(now))
                .then();
    }

    public Mono<ApplicationState> findApplication(String name) {
        return db.sql("SELECT * FROM applications WHERE name = :name")
                .bind("name", name)
                .map(this::application)
                .one();
    }

    public Flux<ApplicationState> listApplications(List<Filter> filters, long offset, int limit) {
        return list("applications", filters, offset, limit)
                .map(this::application)
                .all();
    }

    public Mono<Void> updateAddress(String name, String address, Instant now) {
        return db.sql("UPDATE applications SET address = :address, updated_at = :now WHERE name = :name")
                .bind("name", name)
                .bind("address", address)
                .bind("now", utc(now))
                .then();
    }

    /** The new secret becomes current; the old one keeps working until {@code graceUntil}. */
    public Mono<Void> rotateSecret(String name, String sealedSecret, Instant graceUntil, Instant now) {
        return db.sql("UPDATE applications SET previous_secret_sealed = secret_sealed,"
                        + " previous_secret_until = :until, secret_sealed = :secret, updated_at = :now"
                        + " WHERE name = :name")
                .bind("name", name)
                .bind("secret", sealedSecret)
                .bind("until", utc(graceUntil))
                .bind("now", utc(now))
                .then();
    }

    /** Ends a rotated-out secret's grace period now. */
    public Mono<Void> endPreviousSecret(String name, Instant now) {
        return db.sql("UPDATE applications SET previous_secret_until = :now, updated_at = :now WHERE name = :name"
                        + " AND previous_secret_sealed IS NOT NULL AND previous_secret_until > :now")
                .bind("name", name)
                .bind("now", utc(now))
                .then();
    }

    /** An application's sealed secrets as stored. */
    public record SealedSecrets(String application, String current, String previous) {}

    /** Applications with a secret sealed before secrets were bound to their application ({@code v1.}). */
    public Flux<SealedSecrets> unboundSecrets() {
        return db.sql("SELECT name, secret_sealed, previous_secret_sealed FROM applications"
                        + " WHERE secret_sealed LIKE 'v1.%' OR previous_secret_sealed LIKE 'v1.%'")
                .map(row -> new SealedSecrets(
                        row.get("name", String.class),
                        row.get("secret_sealed", String.class),
                        row.get("previous_secret_sealed", String.class)))
                .all();
    }

    /** Replaces {@code was} by {@code now}, if the application's secrets are still {@code was}; the rows changed. */
    public Mono<Long> replaceSealedSecrets(SealedSecrets was, SealedSecrets now) {
        GenericExecuteSpec update = db.sql("UPDATE applications SET secret_sealed = :current,"
                        + " previous_secret_sealed = :previous WHERE name = :name AND secret_sealed = :wasCurrent"
                        + " AND previous_secret_sealed IS NOT DISTINCT FROM :wasPrevious")
                .bind("name", was.application())
                .bind("current", now.current())
                .bind("wasCurrent", was.current());
        update = bindNullable(update, "previous", now.previous(), String.class);
        update = bindNullable(update, "wasPrevious", was.previous(), String.class);
        return update.fetch().rowsUpdated();
    }

    public Mono<Long> deleteApplication(String name) {
        return db.sql("DELETE FROM applications WHERE name = :name")
                .bind("name", name)
                .fetch()
                .rowsUpdated();
    }

    /** How many actions and subscriptions {@code application} owns. */
    public Mono<Long> dependentsOf(String application) {
        return count(
                "SELECT (SELECT count(*) FROM actions WHERE application = :name)"
                        + " + (SELECT count(*) FROM subscriptions WHERE application = :name) AS n",
                application);
    }

    /** A count query's {@code n}, for the one parameter {@code :name}. */
    private Mono<Long> count(String sql, String name) {
        return db.sql(sql)
                .bind("name", name)
                .map(row -> row.get("n", Long.class))
                .one();
    }

    // ---- actions

    public Mono<Void> insertAction(ActionState action, String metricName, String schema) {
        GenericExecuteSpec insert = db.sql("INSERT INTO actions (name, application, topic, metric_name, partitions,"
                        + " retention, partition_key, compatibility, description, created_at, subscribers) VALUES"
                        + " (:name, :app, :topic, :metric, :partitions, :retention, :partitionKey, :compatibility,"
                        + " :description, :now, :subscribers)")
                .bind("name", action.action())
                .bind("app", action.application())
                .bind("topic", action.topic())
                .bind("metric", metricName)
                .bind("partitions", action.partitions())
                .bind("retention", action.retention())
                .bind("compatibility", action.compatibility())
                .bind("now", utc(action.timestamped()));
        insert = bindNullable(insert, "partitionKey", action.partitionKey(), String.class);
        insert = bindNullable(insert, "description", action.description(), String.class);
        insert = bindNullable(insert, "subscribers", subscribers(action.subscribers()), String[].class);
        return insert.then().then(insertSchema(action.action(), 1, schema, action.timestamped()));
    }

    /** How many subscriptions {@code application} holds. */
    public Mono<Long> subscriptionCount(String application) {
        return count("SELECT count(*) AS n FROM subscriptions WHERE application = :name", application);
    }

    /** How many actions {@code application} owns. */
    public Mono<Long> actionCount(String application) {
        return count("SELECT count(*) AS n FROM actions WHERE application = :name", application);
    }

    public Mono<Void> updateActionDescription(String action, String description) {
        return db.sql("UPDATE actions SET description = :description WHERE name = :name")
                .bind("name", action)
                .bind("description", description)
                .then();
    }

    /** Sets who may subscribe to the action (null: anyone). */
    public Mono<Void> updateActionSubscribers(String action, List<String> subscribers) {
        return bindNullable(
                        db.sql("UPDATE actions SET subscribers = :subscribers WHERE name = :name")
                                .bind("name", action),
                        "subscribers",
                        subscribers(subscribers),
                        String[].class)
                .then();
    }

    /**
     * Pauses, with {@code reason}, the active subscriptions to {@code action} of applications other than its owner
     * that are not in {@code allowed}; returns their names.
     */
    public Flux<String> pauseSubscriptionsNotAllowed(String action, List<String> allowed, String reason, Instant now) {
        return db.sql("UPDATE subscriptions s SET status = 'paused', paused_reason = :reason, updated_at = :now"
                        + " FROM actions a WHERE s.action = a.name AND a.name = :action AND s.status = 'active'"
                        + " AND s.application <> a.application AND NOT (s.application = ANY(:allowed))"
                        + " RETURNING s.name")
                .bind("action", action)
                .bind("allowed", allowed.toArray(String[]::new))
                .bind("reason", reason)
                .bind("now", utc(now))
                .map(row -> row.get("name", String.class))
                .all();
    }

    private static String[] subscribers(List<String> subscribers) {
        return subscribers == null ? null : subscribers.toArray(String[]::new);
    }

    public Mono<Void> insertSchema(String action, int version, String schema, Instant now) {
        return db.sql("INSERT INTO schemata (action, version, schema, created_at) VALUES (:action, :version,"
                        + " :schema, :now)")
                .bind("action", action)
                .bind("version", version)
                .bind("schema", schema)
                .bind("now", utc(now))
                .then();
    }

    /** The action with its newest schema version. */
    public Mono<ActionState> findAction(String name) {
        return db.sql(ACTION_SELECT + " WHERE a.name = :name")
                .bind("name", name)
                .map(this::action)
                .one();
    }

    public Flux<ActionState> listActions(List<Filter> filters, long offset, int limit) {
        StringBuilder sql = new StringBuilder(ACTION_SELECT).append(" WHERE true");
        Map<String, Object> binds = where(filters, sql);
        sql.append(" ORDER BY a.created_at, a.name LIMIT ")
                .append(limit)
                .append(" OFFSET ")
                .append(offset);
        return bindAll(db.sql(sql.toString()), binds).map(this::action).all();
    }

    /** Names of actions whose topic folds to {@code metricName} (DESIGN §3's collision rule). */
    public Flux<String> actionsWithMetricName(String metricName) {
        return db.sql("SELECT name FROM actions WHERE metric_name = :metric")
                .bind("metric", metricName)
                .map(row -> row.get("name", String.class))
                .all();
    }

    /** The event topic of every action. */
    public Flux<String> eventTopics() {
        return db.sql("SELECT topic FROM actions ORDER BY name")
                .map(row -> row.get("topic", String.class))
                .all();
    }

    public record SchemaVersion(int version, String schema, Instant timestamped) {}

    public Flux<SchemaVersion> schemaVersions(String action) {
        return db.sql("SELECT version, schema, created_at FROM schemata WHERE action = :action ORDER BY version")
                .bind("action", action)
                .map(row -> new SchemaVersion(
                        row.get("version", Integer.class), row.get("schema", String.class), instant(row, "created_at")))
                .all();
    }

    /** How many subscriptions {@code action} has. */
    public Mono<Long> subscriberCount(String action) {
        return count("SELECT count(*) AS n FROM subscriptions WHERE action = :name", action);
    }

    // ---- subscriptions

    public Mono<Void> insertSubscription(SubscriptionState s) {
        GenericExecuteSpec insert = db.sql("INSERT INTO subscriptions (id, name, application, action, handler,"
                        + " max_retries, ordered, rate_limit, description, status, paused_reason, filter, backfill_from,"
                        + " created_at, updated_at) VALUES (:id, :name, :app, :action, :handler, :retries, :ordered,"
                        + " :rateLimit, :description, :status, :reason, :filter, :backfill, :now, :now)")
                .bind("id", UUID.fromString(s.id()))
                .bind("name", s.subscription())
                .bind("app", s.application())
                .bind("action", s.action())
                .bind("handler", s.handler())
                .bind("retries", s.maxRetries())
                .bind("ordered", s.ordered())
                .bind("status", s.status())
                .bind("now", utc(s.timestamped()));
        insert = bindNullable(insert, "rateLimit", s.rateLimit(), Integer.class);
        insert = bindNullable(insert, "description", s.description(), String.class);
        insert = bindNullable(insert, "reason", s.pausedReason(), String.class);
        insert = bindNullable(insert, "filter", filterText(s), String.class);
        insert = s.backfillFrom() == null
                ? insert.bindNull("backfill", OffsetDateTime.class)
                : insert.bind("backfill", utc(s.backfillFrom()));
        return insert.then();
    }

    /**
     * Changes the subscription whose id is {@code s.id()}; its id and name stay. Completes with the number of rows
     * changed: 0 when that subscription was deleted meanwhile, even if another one has its name by now.
     */
    public Mono<Long> updateSubscription(SubscriptionState s, Instant now) {
        GenericExecuteSpec update = db.sql(
                        "UPDATE subscriptions SET handler = :handler, max_retries = :retries,"
                                + " ordered = :ordered, rate_limit = :rateLimit, description = :description,"
                                + " status = :status, paused_reason = :reason, filter = :filter, updated_at = :now WHERE id = :id")
                .bind("id", UUID.fromString(s.id()))
                .bind("handler", s.handler())
                .bind("retries", s.maxRetries())
                .bind("ordered", s.ordered())
                .bind("status", s.status())
                .bind("now", utc(now));
        update = bindNullable(update, "rateLimit", s.rateLimit(), Integer.class);
        update = bindNullable(update, "description", s.description(), String.class);
        update = bindNullable(update, "reason", s.pausedReason(), String.class);
        update = bindNullable(update, "filter", filterText(s), String.class);
        return update.fetch().rowsUpdated();
    }

    public Mono<SubscriptionState> findSubscription(String name) {
        return db.sql("SELECT * FROM subscriptions WHERE name = :name")
                .bind("name", name)
                .map(this::subscription)
                .one();
    }

    public Flux<SubscriptionState> listSubscriptions(List<Filter> filters, long offset, int limit) {
        return list("subscriptions", filters, offset, limit)
                .map(this::subscription)
                .all();
    }

    public Mono<Long> deleteSubscription(String name) {
        return db.sql("DELETE FROM subscriptions WHERE name = :name")
                .bind("name", name)
                .fetch()
                .rowsUpdated();
    }

    // ---- outbox

    /** Records that the entity under {@code key} changed; call inside the change's transaction. */
    public Mono<Void> enqueue(String key) {
        return db.sql("INSERT INTO outbox (key) VALUES (:key)").bind("key", key).then();
    }

    public record OutboxEntry(long id, String key) {}

    public Flux<OutboxEntry> pendingChanges(int limit) {
        return db.sql("SELECT id, key FROM outbox ORDER BY id LIMIT " + limit)
                .map(row -> new OutboxEntry(row.get("id", Long.class), row.get("key", String.class)))
                .all();
    }

    public Mono<Void> forgetChangesUpTo(long id) {
        return db.sql("DELETE FROM outbox WHERE id <= :id").bind("id", id).then();
    }

    /** A transaction-scoped advisory lock, so that one relay at a time publishes (ordering of a key's states). */
    public Mono<Boolean> tryRelayLock() {
        return db.sql("SELECT pg_try_advisory_xact_lock(4711) AS locked")
                .map(row -> row.get("locked", Boolean.class))
                .one();
    }

    // ---- mapping

    private static final String ACTION_SELECT = "SELECT a.*, s.version, s.schema FROM actions a"
            + " JOIN schemata s ON s.action = a.name"
            + " AND s.version = (SELECT max(version) FROM schemata WHERE action = a.name)";

    private ApplicationState application(Readable row) {
        List<SealedSecret> secrets = new ArrayList<>(2);
        secrets.add(new SealedSecret(row.get("secret_sealed", String.class), null));
        String previous = row.get("previous_secret_sealed", String.class);
        if (previous != null) {
            secrets.add(new SealedSecret(previous, instant(row, "previous_secret_until")));
        }
        return new ApplicationState(
                row.get("name", String.class), row.get("address", String.class), secrets, instant(row, "created_at"));
    }

    private ActionState action(Readable row) {
        return new ActionState(
                row.get("name", String.class),
                row.get("application", String.class),
                row.get("topic", String.class),
                row.get("version", Integer.class),
                json.readTree(row.get("schema", String.class)),
                row.get("partitions", Integer.class),
                row.get("retention", String.class),
                row.get("partition_key", String.class),
                row.get("compatibility", String.class),
                row.get("description", String.class),
                instant(row, "created_at"),
                Optional.ofNullable(row.get("subscribers", String[].class))
                        .map(List::of)
                        .orElse(null));
    }

    private SubscriptionState subscription(Readable row) {
        return new SubscriptionState(
                row.get("name", String.class),
                row.get("application", String.class),
                row.get("action", String.class),
                row.get("handler", String.class),
                row.get("max_retries", Integer.class),
                row.get("ordered", Boolean.class),
                row.get("rate_limit", Integer.class),
                row.get("description", String.class),
                row.get("status", String.class),
                row.get("paused_reason", String.class),
                instant(row, "created_at"),
                row.get("id", UUID.class).toString(),
                Optional.ofNullable(row.get("filter", String.class))
                        .map(json::readTree)
                        .orElse(null),
                row.get("backfill_from") == null ? null : instant(row, "backfill_from"));
    }

    private String filterText(SubscriptionState s) {
        return s.filter() == null ? null : json.writeValueAsString(s.filter());
    }

    private GenericExecuteSpec list(String table, List<Filter> filters, long offset, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM ").append(table).append(" WHERE true");
        Map<String, Object> binds = where(filters, sql);
        sql.append(" ORDER BY created_at, name LIMIT ")
                .append(limit)
                .append(" OFFSET ")
                .append(offset);
        return bindAll(db.sql(sql.toString()), binds);
    }

    /** Appends {@code AND column op :pN} for each filter with a value; columns come from code, never input. */
    private static Map<String, Object> where(List<Filter> filters, StringBuilder sql) {
        Map<String, Object> binds = new LinkedHashMap<>();
        for (Filter filter : filters) {
            if (filter.value() == null) {
                continue;
            }
            String parameter = "p" + binds.size();
            sql.append(" AND ")
                    .append(filter.column())
                    .append(' ')
                    .append(filter.operator())
                    .append(" :")
                    .append(parameter);
            if (filter.operator().equals("LIKE")) {
                sql.append(" ESCAPE '\\'");
            }
            binds.put(parameter, filter.value());
        }
        return binds;
    }

    private static GenericExecuteSpec bindAll(GenericExecuteSpec spec, Map<String, Object> binds) {
        GenericExecuteSpec bound = spec;
        for (Map.Entry<String, Object> bind : binds.entrySet()) {
            bound = bound.bind(bind.getKey(), bind.getValue());
        }
        return bound;
    }

    private static <T> GenericExecuteSpec bindNullable(GenericExecuteSpec spec, String name, T value, Class<T> type) {
        return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
    }

    private static String escapeLike(String value) {
        return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(Readable row, String column) {
        OffsetDateTime value = row.get(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
