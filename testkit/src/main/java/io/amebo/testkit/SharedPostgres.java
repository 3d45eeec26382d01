package io.amebo.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A real PostgreSQL server (zonky: PostgreSQL binaries from Maven jars), started on first use and shared by every
 * test in the JVM. Tests keep apart by each taking a {@link #newDatabase fresh database}.
 */
public final class SharedPostgres {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static volatile SharedPostgres instance;

    private final EmbeddedPostgres server;

    private SharedPostgres(EmbeddedPostgres server) {
        this.server = server;
    }

    /** The JVM's PostgreSQL, started on the first call (about 1.5 s; longer the first time it unpacks). */
    public static SharedPostgres get() {
        SharedPostgres local = instance;
        if (local == null) {
            synchronized (SharedPostgres.class) {
                local = instance;
                if (local == null) {
                    local = start();
                    instance = local;
                }
            }
        }
        return local;
    }

    private static SharedPostgres start() {
        try {
            EmbeddedPostgres server = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> close(server), "shared-postgres-shutdown"));
            return new SharedPostgres(server);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
        }
    }

    private static void close(EmbeddedPostgres server) {
        try {
            server.close();
        } catch (IOException e) {
            // the JVM is going away; the temporary data directory is cleaned by zonky's own hook
        }
    }

    public int port() {
        return server.getPort();
    }

    /** Creates an empty database; {@code name} is lower-cased and must be a plain SQL identifier. */
    public Database newDatabase(String name) {
        String database = name.toLowerCase(Locale.ROOT).replace('-', '_');
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        try (Connection connection = server.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + database, e);
        }
        return new Database(database, port());
    }

    /** Connection coordinates of one database on the shared server. */
    public record Database(String name, int port) {

        public String jdbcUrl() {
            return "jdbc:postgresql://localhost:" + port + "/" + name;
        }

        public String r2dbcUrl() {
            return "r2dbc:postgresql://localhost:" + port + "/" + name;
        }

        public String user() {
            return USER;
        }

        public String password() {
            return PASSWORD;
        }

        public Connection connect() throws SQLException {
            return java.sql.DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
        }
    }
}
