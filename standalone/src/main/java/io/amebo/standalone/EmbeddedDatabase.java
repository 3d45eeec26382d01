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

/**
 * A real PostgreSQL (zonky: binaries from Maven jars) keeping its data under the data directory, never wiped: a
 * restart finds everything where it was left. The database {@code amebo} is created on first start.
 */
final class EmbeddedDatabase implements AutoCloseable {

    static final String DATABASE = "amebo";
    static final String USER = "postgres";

    private final EmbeddedPostgres server;

    private EmbeddedDatabase(EmbeddedPostgres server) {
        this.server = server;
    }

    static EmbeddedDatabase start(Path directory, int port) {
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
                    .start();
            try (Connection c = server.getPostgresDatabase().getConnection();
                    Statement s = c.createStatement();
                    ResultSet exists = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!exists.next()) {
                    s.execute("CREATE DATABASE " + DATABASE);
                }
            }
            return new EmbeddedDatabase(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + directory, e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the amebo database", e);
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
