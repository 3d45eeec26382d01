package io.amebo.gateway.store;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/**
 * Deduplication claims in PostgreSQL, shared by every gateway instance (DESIGN §4, deduper). A publish with a
 * deduper first claims (action, deduper) with an atomic insert; the winner appends and then records the event id;
 * a later publish within the window finds the id and appends nothing. A claim whose publish died before recording
 * an id is taken over after {@code staleAfter}.
 */
public final class DedupeRepository {

    private final DatabaseClient db;

    public DedupeRepository(DatabaseClient db) {
        this.db = db;
    }

    /** The outcome of a claim. */
    public sealed interface Claim {
        /** This publish owns the deduper: append, then {@link #record} or {@link #release}. */
        record Claimed() implements Claim {}

        /** An earlier publish appended this event; answer with it. */
        record Existing(String eventId, Instant timestamped) implements Claim {}

        /** Another publish with this deduper is appending right now. */
        record InFlight() implements Claim {}
    }

    public Mono<Claim> claim(String action, String deduper, Instant now, Duration window, Duration staleAfter) {
        return db.sql("DELETE FROM gateway_dedupe WHERE action = :action AND deduper = :deduper"
                        + " AND claimed_at < :expired")
                .bind("action", action)
                .bind("deduper", deduper)
                .bind("expired", utc(now.minus(window)))
                .then()
                .then(db.sql("INSERT INTO gateway_dedupe (action, deduper, claimed_at) VALUES (:action, :deduper, :now)"
                                + " ON CONFLICT DO NOTHING")
                        .bind("action", action)
                        .bind("deduper", deduper)
                        .bind("now", utc(now))
                        .fetch()
                        .rowsUpdated())
                .flatMap(inserted -> inserted == 1
                        ? Mono.<Claim>just(new Claim.Claimed())
                        : existing(action, deduper, now, staleAfter));
    }

    private Mono<Claim> existing(String action, String deduper, Instant now, Duration staleAfter) {
        return db.sql("SELECT event_id, timestamped, claimed_at FROM gateway_dedupe"
                        + " WHERE action = :action AND deduper = :deduper")
                .bind("action", action)
                .bind("deduper", deduper)
                .map(row -> new Row(
                        row.get("event_id", String.class),
                        instant(row.get("timestamped", OffsetDateTime.class)),
                        instant(row.get("claimed_at", OffsetDateTime.class))))
                .one()
                .flatMap(row -> {
                    if (row.eventId() != null) {
                        return Mono.<Claim>just(new Claim.Existing(row.eventId(), row.timestamped()));
                    }
                    if (row.claimedAt().isBefore(now.minus(staleAfter))) {
                        return takeOver(action, deduper, row.claimedAt(), now);
                    }
                    return Mono.<Claim>just(new Claim.InFlight());
                })
                // the row vanished between the insert and the select (its window just ended): the retry claims it
                .switchIfEmpty(Mono.defer(() -> Mono.just(new Claim.InFlight())));
    }

    private Mono<Claim> takeOver(String action, String deduper, Instant staleClaim, Instant now) {
        return db.sql("UPDATE gateway_dedupe SET claimed_at = :now WHERE action = :action AND deduper = :deduper"
                        + " AND event_id IS NULL AND claimed_at = :stale")
                .bind("action", action)
                .bind("deduper", deduper)
                .bind("now", utc(now))
                .bind("stale", utc(staleClaim))
                .fetch()
                .rowsUpdated()
                .map(updated -> updated == 1 ? new Claim.Claimed() : new Claim.InFlight());
    }

    public Mono<Void> record(String action, String deduper, String eventId, Instant timestamped) {
        return db.sql("UPDATE gateway_dedupe SET event_id = :id, timestamped = :at"
                        + " WHERE action = :action AND deduper = :deduper")
                .bind("action", action)
                .bind("deduper", deduper)
                .bind("id", eventId)
                .bind("at", utc(timestamped))
                .then();
    }

    /** Gives up a claim whose append failed, so that the client's retry can claim it again. */
    public Mono<Void> release(String action, String deduper) {
        return db.sql("DELETE FROM gateway_dedupe WHERE action = :action AND deduper = :deduper AND event_id IS NULL")
                .bind("action", action)
                .bind("deduper", deduper)
                .then();
    }

    /** Forgets claims older than the window. */
    public Mono<Long> prune(Instant now, Duration window) {
        return db.sql("DELETE FROM gateway_dedupe WHERE claimed_at < :expired")
                .bind("expired", utc(now.minus(window)))
                .fetch()
                .rowsUpdated();
    }

    private record Row(String eventId, Instant timestamped, Instant claimedAt) {}

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
