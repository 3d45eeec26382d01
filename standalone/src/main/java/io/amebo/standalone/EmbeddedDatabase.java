package io.amebo.standalone;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * A real PostgreSQL (zonky: binaries from Maven jars) keeping its data under the data directory, never wiped: a
 * restart finds everything where it was left. The database {@code amebo} is created on first start. zonky leaves
 * every local user in without a password (trust); here the superuser gets {@code password} and every connection,
 * over TCP or the socket, must give it (scram-sha-256), so another user of the machine cannot walk in.
 */
final class EmbeddedDatabase implements AutoCloseable {

    static final String DATABASE = "amebo";
    static final String USER = "postgres";

    private final EmbeddedPostgres server;

    private EmbeddedDatabase(EmbeddedPostgres server) {
        this.server = server;
    }

    static EmbeddedDatabase start(Path directory, int port, String password) {
        try {
            Files.createDirectories(directory);
            EmbeddedPostgres server = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    // initdb and the first start can be slow on a busy machine; zonky's default gives up after 10 s
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // zonky is made for tests and turns durability off (-F, synchronous_commit=off): this is the
                    // system of record, so a committed change must survive a crash of the machine (DESIGN §6.7)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setConnectConfig("password", password)
                    .start();
            try (Connection c = server.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement();
                    ResultSet exists = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!exists.next()) {
                    s.execute("CREATE DATABASE " + DATABASE);
                }
            }
            requirePassword(server, directory, password);
            return new EmbeddedDatabase(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + directory, e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the amebo database", e);
        }
    }

    /** Sets the superuser's password and makes every connection give one (once; later starts find it done). */
    private static void requirePassword(EmbeddedPostgres server, Path directory, String password)
            throws SQLException, IOException {
        Path hba = directory.resolve("pg_hba.conf");
        List<String> rules = Files.readAllLines(hba);
        List<String> secured = rules.stream()
                .map(line -> line.startsWith("#") ? line : line.replaceAll("\\btrust\\b", "scram-sha-256"))
                .toList();
        if (secured.equals(rules)) {
            return; // done on an earlier start
        }
        try (Connection c = server.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            // the password is ours (hex); a literal is the only way to hand it to ALTER ROLE
            s.execute("ALTER ROLE " + USER + " PASSWORD '" + password.replace("'", "''") + "'");
            Files.write(hba, secured);
            s.execute("SELECT pg_reload_conf()");
        }
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
