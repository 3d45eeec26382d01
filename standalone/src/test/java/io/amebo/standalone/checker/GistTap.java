package io.amebo.standalone.checker;

import io.amebo.testkit.SharedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Diagnosis only, not a check: reads the delivery log's table straight from PostgreSQL every few hundred
 * milliseconds and keeps every version of every row it saw, so a report can say what the dispatcher made of each
 * attempt (a gist keeps only its latest). The checks themselves read gists through the API, as users do.
 */
final class GistTap implements AutoCloseable {

    private static final Duration EVERY = Duration.ofMillis(300);

    /** One version of a gist row. */
    record Version(String status, int attempts, Integer lastStatus, String lastError, long updatedAtMs) {}

    private final SharedPostgres.Database database;
    private final Map<String, Set<Version>> versions = new ConcurrentHashMap<>();
    private final long originMs;
    private final Thread thread;
    private volatile boolean running = true;

    /** Taps the delivery log in {@code database}; times are shown from {@code originMs}. */
    GistTap(SharedPostgres.Database database, long originMs) {
        this.database = database;
        this.originMs = originMs;
        this.thread = new Thread(this::watch, "checker-gist-tap");
        thread.setDaemon(true);
        thread.start();
    }

    /** Every version seen of the gist of {@code eventId} for the subscription with identity {@code identity}. */
    String versions(String identity, String eventId) {
        Set<Version> seen = versions.get(identity + "|" + eventId);
        if (seen == null) {
            return "[]";
        }
        List<Version> sorted = new ArrayList<>(seen);
        sorted.sort(Comparator.comparingLong(Version::updatedAtMs));
        return sorted.stream()
                .map(v -> v.status() + "#" + v.attempts() + (v.lastStatus() == null ? "" : "(" + v.lastStatus() + ")")
                        + (v.lastError() == null ? "" : " " + v.lastError()) + " @+" + (v.updatedAtMs() - originMs))
                .toList()
                .toString();
    }

    private void watch() {
        Timestamp since = new Timestamp(0);
        while (running) {
            try (Connection connection = database.connect();
                    PreparedStatement query = connection.prepareStatement("SELECT subscription_id, event_id, status,"
                            + " attempts, last_status, last_error, updated_at FROM dispatcher_gists WHERE updated_at >= ?"
                            + " ORDER BY updated_at")) {
                while (running) {
                    query.setTimestamp(1, since);
                    try (ResultSet rows = query.executeQuery()) {
                        while (rows.next()) {
                            Timestamp updated = rows.getTimestamp("updated_at");
                            int lastStatus = rows.getInt("last_status");
                            versions.computeIfAbsent(
                                            rows.getString("subscription_id") + "|" + rows.getString("event_id"),
                                            k -> ConcurrentHashMap.newKeySet())
                                    .add(new Version(
                                            rows.getString("status"),
                                            rows.getInt("attempts"),
                                            rows.wasNull() ? null : lastStatus,
                                            rows.getString("last_error"),
                                            updated.getTime()));
                            since = updated.after(since) ? updated : since;
                        }
                    }
                    LockSupport.parkNanos(EVERY.toNanos());
                }
            } catch (SQLException e) {
                LockSupport.parkNanos(EVERY.toNanos()); // the table is not there yet, most likely
            }
        }
    }

    @Override
    public void close() {
        running = false;
    }
}
