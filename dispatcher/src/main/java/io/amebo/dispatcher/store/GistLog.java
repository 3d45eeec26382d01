package io.amebo.dispatcher.store;

import io.amebo.platform.store.BackgroundMigration;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The delivery log (gists) in PostgreSQL, written off the hot path (DESIGN §2): deliveries hand their outcome to
 * {@link #record}, which only queues it; a flush every {@code interval} upserts the queue in one transaction. While
 * PostgreSQL is away the queue holds up to {@code capacity} entries and then drops the oldest (logged): delivery
 * never waits for the log. A gist only moves forward: a write older than what the row holds is ignored, whatever
 * order writes reach PostgreSQL in. Queries read the table.
 */
public final class GistLog implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GistLog.class);
    private static final int BATCH = 1000;
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final DatabaseClient db;
    private final TransactionalOperator transactions;
    private final BackgroundMigration schema;
    private final Duration interval;
    private final int capacity;
    private final Queue<Gist> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private volatile Flusher flusher;

    public GistLog(
            DatabaseClient db,
            TransactionalOperator transactions,
            BackgroundMigration schema,
            Duration interval,
            int capacity) {
        this.db = db;
        this.transactions = transactions;
        this.schema = schema;
        this.interval = interval;
        this.capacity = capacity;
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

    public void record(Gist gist) {
        queue.add(gist);
        if (size.incrementAndGet() > capacity && queue.poll() != null) {
            size.decrementAndGet();
            log.warn("Delivery log queue is full (PostgreSQL unreachable?); dropped its oldest entry");
        }
    }

    /**
     * Writes what is queued; completes when it is in PostgreSQL. Several records of one delivery coalesce to the
     * latest. A batch that fails is tried again later if PostgreSQL is unreachable; if PostgreSQL answers, the
     * batch is written row by row and a row that PostgreSQL refuses is dropped (logged and counted), so one bad row
     * never holds up the others.
     */
    public Mono<Integer> flush() {
        if (!schema.isReady() || queue.isEmpty()) {
            return Mono.just(0);
        }
        Map<UUID, Gist> latest = new LinkedHashMap<>();
        Gist gist;
        while (latest.size() < BATCH && (gist = queue.poll()) != null) {
            size.decrementAndGet();
            latest.merge(gist.id(), gist, GistLog::newer);
        }
        List<Gist> batch = new ArrayList<>(latest.values());
        return write(batch).thenReturn(batch.size()).onErrorResume(failure -> rowByRow(batch, failure));
    }

    private Mono<Integer> rowByRow(List<Gist> batch, Throwable batchFailure) {
        return reachable().flatMap(up -> {
            if (!up) {
                log.warn("Could not write {} delivery records yet: {}", batch.size(), batchFailure.toString());
                batch.forEach(this::record); // back in the queue, to try again
                return Mono.just(0);
            }
            return Flux.fromIterable(batch)
                    .concatMap(g -> write(List.of(g)).thenReturn(1).onErrorResume(failure -> refused(g, failure)))
                    .reduce(0, Integer::sum);
        });
    }

    private Mono<Integer> refused(Gist gist, Throwable failure) {
        return reachable().map(up -> {
            if (up) {
                log.error("PostgreSQL refuses delivery record {}; dropping it: {}", gist.id(), failure.toString());
            } else {
                record(gist);
            }
            return 0;
        });
    }

    private Mono<Boolean> reachable() {
        return db.sql("SELECT 1").fetch().rowsUpdated().thenReturn(true).onErrorReturn(false);
    }

    /** Of two records of one delivery, the later; a later write must never move a gist back. */
    private static Gist newer(Gist a, Gist b) {
        return b.updatedAt().isBefore(a.updatedAt()) ? a : b;
    }

    private Mono<Void> write(List<Gist> batch) {
        return transactions.transactional(
                Flux.fromIterable(batch).concatMap(this::upsert).then());
    }

    /** An upsert that only ever moves a gist forward: a record older than the row's is ignored. */
    private Mono<Void> upsert(Gist g) {
        GenericExecuteSpec spec = db.sql("INSERT INTO dispatcher_gists (id, subscription, subscription_id, action,"
                        + " event_id, status, attempts, last_status, last_error, response_excerpt, next_attempt_at,"
                        + " created_at, updated_at) VALUES (:id, :subscription, :subscriptionId, :action, :event,"
                        + " :status, :attempts, :lastStatus, :lastError, :excerpt, :next, :created, :updated)"
                        + " ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts,"
                        + " last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error,"
                        + " response_excerpt = EXCLUDED.response_excerpt, next_attempt_at = EXCLUDED.next_attempt_at,"
                        + " updated_at = EXCLUDED.updated_at WHERE dispatcher_gists.updated_at <= EXCLUDED.updated_at")
                .bind("id", g.id())
                .bind("subscription", g.subscription())
                .bind("subscriptionId", g.subscriptionId())
                .bind("action", g.action())
                .bind("event", g.eventId())
                .bind("status", g.status())
                .bind("attempts", g.attempts())
                .bind("created", utc(g.createdAt()))
                .bind("updated", utc(g.updatedAt()));
        spec = g.lastStatus() == null
                ? spec.bindNull("lastStatus", Integer.class)
                : spec.bind("lastStatus", g.lastStatus());
        spec = bindText(spec, "lastError", g.lastError());
        spec = bindText(spec, "excerpt", g.responseExcerpt());
        spec = g.nextAttemptAt() == null
                ? spec.bindNull("next", OffsetDateTime.class)
                : spec.bind("next", utc(g.nextAttemptAt()));
        return spec.then();
    }

    /** PostgreSQL's text cannot hold NUL: a handler's answer may, so it is replaced (U+FFFD). */
    private static GenericExecuteSpec bindText(GenericExecuteSpec spec, String name, String value) {
        return value == null ? spec.bindNull(name, String.class) : spec.bind(name, value.replace('\0', '\uFFFD'));
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

    /** Starts before the delivery workers and stops after them, so their last outcomes are written. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1500;
    }

    @Override
    public void start() {
        Sinks.Empty<Void> stop = Sinks.empty();
        CountDownLatch stopped = new CountDownLatch(1);
        Flux.interval(interval)
                .onBackpressureDrop()
                .takeUntilOther(stop.asMono())
                .concatMap(tick -> flush(), 1)
                .doFinally(signal -> stopped.countDown())
                .subscribe();
        flusher = new Flusher(stop, stopped);
    }

    /** The periodic flush: told to stop, it finishes the write under way (whose records left the queue) first. */
    private record Flusher(Sinks.Empty<Void> stop, CountDownLatch stopped) {}

    @Override
    public void stop() {
        Flusher current = flusher;
        if (current == null) {
            return;
        }
        flusher = null;
        current.stop().tryEmitEmpty();
        try {
            current.stopped().await(SHUTDOWN_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // what is queued goes in before the service stops
        int written = 0;
        for (int round = 0; round < 10 && !queue.isEmpty(); round++) {
            written += flush().block(SHUTDOWN_WAIT);
        }
        log.info("Delivery log stopped: wrote {} last record(s), {} left unwritten", written, size.get());
    }

    @Override
    public boolean isRunning() {
        return flusher != null;
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
