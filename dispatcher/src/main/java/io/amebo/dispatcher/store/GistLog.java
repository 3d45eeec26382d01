package io.amebo.dispatcher.store;

import io.amebo.platform.store.BackgroundMigration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The delivery log (gists) in PostgreSQL, the queryable copy of the gist journal (DESIGN §2): outcomes are first
 * appended to the journal topic, before the event they belong to is committed ({@link GistJournal}); the journal's
 * writer hands them here in batches. A gist only moves forward: a record older than what the row holds is ignored,
 * whatever order records reach PostgreSQL in. A batch that fails while PostgreSQL answers is written row by row, and
 * a row that PostgreSQL refuses is dropped (logged), so one bad row never holds up the others; while PostgreSQL is
 * unreachable the batch fails and the writer tries it again. Queries read the table.
 */
public final class GistLog {

    private static final Logger log = LoggerFactory.getLogger(GistLog.class);

    private final DatabaseClient db;
    private final BackgroundMigration schema;

    public GistLog(DatabaseClient db, BackgroundMigration schema) {
        this.db = db;
        this.schema = schema;
    }

    /** Whether the table exists yet (it is migrated in the background). */
    public boolean isReady() {
        return schema.isReady();
    }

    /** One delivery record as of its latest attempt. */
    public record Gist(
            UUID id,
            String subscription,
            String subscriptionId,
            String action,
            String eventId,
            String status,
            int attempts,
            Integer lastStatus,
            String lastError,
            String responseExcerpt,
            Instant nextAttemptAt,
            Instant createdAt,
            Instant updatedAt) {}

    /**
     * Writes {@code batch} (the latest record of each delivery wins); completes when it is in PostgreSQL, or errors
     * while PostgreSQL cannot be reached.
     */
    public Mono<Integer> write(List<Gist> batch) {
        Map<UUID, Gist> latest = new LinkedHashMap<>();
        batch.forEach(gist -> latest.merge(gist.id(), gist, GistLog::newer));
        List<Gist> rows = new ArrayList<>(latest.values());
        return writeAll(rows).thenReturn(rows.size()).onErrorResume(failure -> rowByRow(rows, failure));
    }

    private Mono<Integer> rowByRow(List<Gist> batch, Throwable batchFailure) {
        return reachable()
                .flatMap(up -> up
                        ? Flux.fromIterable(batch)
                                .concatMap(g -> writeAll(List.of(g))
                                        .thenReturn(1)
                                        .onErrorResume(failure -> refused(g, failure)))
                                .reduce(0, Integer::sum)
                        : Mono.error(batchFailure));
    }

    /** A row PostgreSQL refuses while it answers is dropped; one that fails because it went away fails the batch. */
    private Mono<Integer> refused(Gist gist, Throwable failure) {
        return reachable().flatMap(up -> {
            if (!up) {
                return Mono.error(failure);
            }
            log.error("PostgreSQL refuses delivery record {}; dropping it: {}", gist.id(), failure.toString());
            return Mono.just(0);
        });
    }

    private Mono<Boolean> reachable() {
        return db.sql("SELECT 1").fetch().rowsUpdated().thenReturn(true).onErrorReturn(false);
    }

    /** Of two records of one delivery, the later; a later write must never move a gist back. */
    private static Gist newer(Gist a, Gist b) {
        return b.updatedAt().isBefore(a.updatedAt()) ? a : b;
    }

    /**
     * The whole batch in one statement: one round trip and one plan, whatever its size (a statement a row cost a
     * round trip each, and the writer's share of a delivery's CPU was most of its PostgreSQL work). Columns go as
     * text arrays, cast in SQL, so one array codec carries every type and its NULLs. Rows are distinct by id (see
     * {@link #write}): one statement may not update a row twice.
     */
    private Mono<Void> writeAll(List<Gist> batch) {
        int n = batch.size();
        String[][] columns = new String[UPSERT_COLUMNS][n];
        for (int i = 0; i < n; i++) {
            Gist g = batch.get(i);
            String[] row = {
                g.id().toString(),
                g.subscription(),
                g.subscriptionId(),
                g.action(),
                g.eventId(),
                g.status(),
                Integer.toString(g.attempts()),
                g.lastStatus() == null ? null : g.lastStatus().toString(),
                storable(g.lastError()),
                storable(g.responseExcerpt()),
                timestamp(g.nextAttemptAt()),
                timestamp(g.createdAt()),
                timestamp(g.updatedAt())
            };
            for (int c = 0; c < UPSERT_COLUMNS; c++) {
                columns[c][i] = row[c];
            }
        }
        GenericExecuteSpec spec = db.sql(UPSERT);
        for (int c = 0; c < UPSERT_COLUMNS; c++) {
            spec = spec.bind(c, columns[c]);
        }
        return spec.then();
    }

    private static final int UPSERT_COLUMNS = 13;

    /** Only ever moves a gist forward: a record older than the row's is ignored. */
    private static final String UPSERT = "INSERT INTO dispatcher_gists (id, subscription, subscription_id, action,"
            + " event_id, status, attempts, last_status, last_error, response_excerpt, next_attempt_at, created_at,"
            + " updated_at)"
            + " SELECT id::uuid, subscription, subscription_id, action, event_id, status, attempts::integer,"
            + " last_status::integer, last_error, response_excerpt, next_attempt_at::timestamptz,"
            + " created_at::timestamptz, updated_at::timestamptz"
            + " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
            + " $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])"
            + " AS g(id, subscription, subscription_id, action, event_id, status, attempts, last_status, last_error,"
            + " response_excerpt, next_attempt_at, created_at, updated_at)"
            + " ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts,"
            + " last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error,"
            + " response_excerpt = EXCLUDED.response_excerpt, next_attempt_at = EXCLUDED.next_attempt_at,"
            + " updated_at = EXCLUDED.updated_at WHERE dispatcher_gists.updated_at <= EXCLUDED.updated_at";

    /** PostgreSQL's text cannot hold NUL: a handler's answer may, so it is replaced (U+FFFD). */
    private static String storable(String value) {
        return value == null ? null : value.replace('\0', '\uFFFD');
    }

    /** ISO-8601 in UTC to the microsecond, PostgreSQL's precision. */
    private static String timestamp(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS).toString();
    }

    /**
     * Filters of {@link #list}; null values are ignored. {@code subscriptionId} is the named subscription's identity
     * (its gists only, not those of an earlier subscription of that name). {@code within}, when not null, limits to
     * the gists of those subscriptions (by identity).
     */
    public record Query(
            String subscription,
            String subscriptionId,
            String action,
            String status,
            Instant from,
            Instant to,
            List<SubscriptionRef> within) {}

    /** A subscription as its gists know it: its name and identity ('' for subscriptions from before ids). */
    public record SubscriptionRef(String name, String id) {}

    public Flux<Gist> list(Query query, long offset, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM dispatcher_gists WHERE true");
        Map<String, Object> binds = new LinkedHashMap<>();
        where(sql, binds, "subscription =", query.subscription());
        where(sql, binds, "subscription_id =", query.subscriptionId());
        where(sql, binds, "action =", query.action());
        where(sql, binds, "status =", query.status());
        where(sql, binds, "created_at >=", query.from() == null ? null : utc(query.from()));
        where(sql, binds, "created_at <", query.to() == null ? null : utc(query.to()));
        if (query.within() != null) {
            // names and ids of the caller's subscriptions: ids are never reused, so an id only ever matches its own
            where(
                    sql,
                    binds,
                    "subscription = ANY(",
                    query.within().stream().map(SubscriptionRef::name).toArray(String[]::new));
            where(
                    sql,
                    binds,
                    "subscription_id = ANY(",
                    query.within().stream().map(SubscriptionRef::id).toArray(String[]::new));
        }
        sql.append(" ORDER BY created_at, id LIMIT ")
                .append(limit)
                .append(" OFFSET ")
                .append(offset);
        GenericExecuteSpec spec = db.sql(sql.toString());
        for (Map.Entry<String, Object> bind : binds.entrySet()) {
            spec = spec.bind(bind.getKey(), bind.getValue());
        }
        return spec.map(this::gist).all();
    }

    public Mono<Gist> find(UUID id) {
        return db.sql("SELECT * FROM dispatcher_gists WHERE id = :id")
                .bind("id", id)
                .map(this::gist)
                .one();
    }

    public Flux<Gist> dead(SubscriptionRef subscription, int limit) {
        return db.sql("SELECT * FROM dispatcher_gists WHERE subscription = :s AND subscription_id = :id"
                        + " AND status = 'dead' ORDER BY created_at LIMIT " + limit)
                .bind("s", subscription.name())
                .bind("id", subscription.id())
                .map(this::gist)
                .all();
    }

    /** Forgets records last touched before {@code before}. */
    public Mono<Long> prune(Instant before) {
        return db.sql("DELETE FROM dispatcher_gists WHERE updated_at < :before")
                .bind("before", utc(before))
                .fetch()
                .rowsUpdated();
    }

    private static void where(StringBuilder sql, Map<String, Object> binds, String condition, Object value) {
        if (value != null) {
            String name = "p" + binds.size();
            sql.append(" AND ").append(condition).append(" :").append(name).append(condition.endsWith("(") ? ")" : "");
            binds.put(name, value);
        }
    }

    private Gist gist(io.r2dbc.spi.Readable row) {
        return new Gist(
                row.get("id", UUID.class),
                row.get("subscription", String.class),
                row.get("subscription_id", String.class),
                row.get("action", String.class),
                row.get("event_id", String.class),
                row.get("status", String.class),
                row.get("attempts", Integer.class),
                row.get("last_status", Integer.class),
                row.get("last_error", String.class),
                row.get("response_excerpt", String.class),
                instant(row.get("next_attempt_at", OffsetDateTime.class)),
                instant(row.get("created_at", OffsetDateTime.class)),
                instant(row.get("updated_at", OffsetDateTime.class)));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
