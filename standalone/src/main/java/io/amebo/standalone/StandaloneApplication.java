package io.amebo.standalone;

import io.amebo.platform.auth.SecretCipher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;

/**
 * The whole of Amebo in one JVM on one port (DESIGN §2, standalone): the registry, the gateway and the dispatcher
 * in one Spring context, over an embedded single-node KRaft Kafka and an embedded PostgreSQL that keep their data
 * in {@code AMEBO_DATA_DIR}. Given {@code SPRING_KAFKA_BOOTSTRAP_SERVERS} or {@code SPRING_R2DBC_URL} it uses that
 * Kafka or PostgreSQL instead of embedding one.
 *
 * <p>Environment: {@code SERVER_PORT} (3310), {@code AMEBO_DATA_DIR} (./amebo-data), {@code AMEBO_KAFKA_PORT}
 * (29092; its controller listens on the next port), {@code AMEBO_POSTGRES_PORT} (25432), {@code AMEBO_ADMIN_TOKEN}
 * (else generated on first start, stored in the data directory and printed once).
 */
@SpringBootApplication
public class StandaloneApplication {

    private static final Logger log = LoggerFactory.getLogger(StandaloneApplication.class);

    public static void main(String[] args) {
        Standalone standalone;
        try {
            standalone = start(System.getenv(), args);
        } catch (RuntimeException e) {
            log.error("Amebo could not start: {}", e.getMessage(), e);
            System.exit(1); // the embedded broker's threads would otherwise keep a failed start alive
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(standalone::close, "amebo-shutdown"));
    }

    /** A running standalone: close it to stop the services, then Kafka, then PostgreSQL, in that order. */
    public record Standalone(ConfigurableApplicationContext context, EmbeddedKafka kafka, EmbeddedDatabase database)
            implements AutoCloseable {

        public int port() {
            return ((WebServerApplicationContext) context).getWebServer().getPort();
        }

        @Override
        public synchronized void close() {
            if (context.isActive()) {
                context.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            if (database != null) {
                database.close();
            }
        }
    }

    /**
     * Kafka and PostgreSQL start before Spring configures logging; until it does, their INFO chatter would flood
     * the console. Spring's own settings (application.yml) take over when the context starts: it resets every level
     * set here.
     */
    private static void quietEmbeddedLogs() {
        for (String name : new String[] {"org.apache.kafka", "kafka", "state.change.logger", "io.zonky"}) {
            level(name, ch.qos.logback.classic.Level.WARN);
        }
        // Kafka's controller reports its activation at WARN on every start of the embedded broker ("Performing
        // controller activation. The metadata log appears to be empty..."): routine, not a warning. Only its start is
        // narrowed: once Spring configures logging, the controller's warnings show again
        level("org.apache.kafka.controller.QuorumController", ch.qos.logback.classic.Level.ERROR);
    }

    private static void level(String name, ch.qos.logback.classic.Level level) {
        if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(level);
        }
    }

    public static Standalone start(Map<String, String> env, String... args) {
        quietEmbeddedLogs();
        Path data = Path.of(env.getOrDefault("AMEBO_DATA_DIR", "amebo-data")).toAbsolutePath();
        int port = Integer.parseInt(env.getOrDefault("SERVER_PORT", "3310"));
        Map<String, Object> properties = new LinkedHashMap<>();
        // where the Kafka and PostgreSQL this process started listen: what it starts is what it uses
        Map<String, Object> embedded = new LinkedHashMap<>();

        // PostgreSQL starts on a thread of its own beside Kafka: one after the other they took ~7 of the cold
        // start's ~15 s on a 2-core machine (the log's timestamps); side by side the start is ~1 s shorter there
        CompletableFuture<EmbeddedDatabase> databaseStart = null;
        Secret password = null;
        if (!env.containsKey("SPRING_R2DBC_URL")) {
            password = secret(
                    env, "AMEBO_POSTGRES_PASSWORD", data.resolve("postgres-password"), StandaloneApplication::token);
            String databasePassword = password.value();
            int databasePort = Integer.parseInt(env.getOrDefault("AMEBO_POSTGRES_PORT", "25432"));
            databaseStart = CompletableFuture.supplyAsync(
                    () -> EmbeddedDatabase.start(data.resolve("postgres"), databasePort, databasePassword),
                    task -> new Thread(task, "amebo-postgres-start").start());
        }
        EmbeddedKafka kafka = null;
        if (!env.containsKey("SPRING_KAFKA_BOOTSTRAP_SERVERS")) {
            int kafkaPort = Integer.parseInt(env.getOrDefault("AMEBO_KAFKA_PORT", "29092"));
            int controllerPort =
                    Integer.parseInt(env.getOrDefault("AMEBO_KAFKA_CONTROLLER_PORT", String.valueOf(kafkaPort + 1)));
            try {
                kafka = EmbeddedKafka.start(data.resolve("kafka"), kafkaPort, controllerPort);
            } catch (RuntimeException e) {
                if (databaseStart != null) {
                    databaseStart
                            .handle((started, failure) -> {
                                closeQuietly(started);
                                return null;
                            })
                            .join();
                }
                throw e;
            }
            embedded.put("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
        }
        EmbeddedDatabase database = null;
        if (databaseStart != null) {
            try {
                database = databaseStart.join();
            } catch (CompletionException e) {
                closeQuietly(kafka);
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
            String hostPort = "localhost:" + database.port() + "/" + EmbeddedDatabase.DATABASE;
            embedded.put("spring.r2dbc.url", "r2dbc:postgresql://" + hostPort);
            embedded.put("spring.r2dbc.username", EmbeddedDatabase.USER);
            embedded.put("spring.r2dbc.password", password.value());
            embedded.put("spring.flyway.url", "jdbc:postgresql://" + hostPort);
            embedded.put("spring.flyway.user", EmbeddedDatabase.USER);
            embedded.put("spring.flyway.password", password.value());
        }
        Secret admin = secret(env, "AMEBO_ADMIN_TOKEN", data.resolve("admin-token"), StandaloneApplication::token);
        Secret master = secret(env, "AMEBO_AUTH_MASTER_KEY", data.resolve("master-key"), SecretCipher::generateKey);
        properties.put("amebo.auth.admin-token", admin.value());
        properties.put("amebo.auth.master-key", master.value());
        properties.put("server.port", port);
        // the services talk to each other in-process over the one port; handlers on this machine are allowed
        String self = "http://localhost:" + port;
        properties.put("amebo.gateway.registry-url", self);
        properties.put("amebo.gateway.public-url", env.getOrDefault("AMEBO_PUBLIC_URL", self));
        properties.put("amebo.dispatcher.registry-url", self);
        properties.put("amebo.dispatcher.allow-loopback", "true");
        properties.put("amebo.registry.allow-private-addresses", "true");

        SpringApplication application = new SpringApplication(StandaloneApplication.class);
        application.addInitializers(context -> {
            MutablePropertySources sources = context.getEnvironment().getPropertySources();
            // below the environment and the command line (they can still override), above every application.yml
            sources.addAfter(
                    StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                    new MapPropertySource("amebo-standalone", properties));
            // the embedded brokers' addresses rank above the JVM's system properties, below only the command line: a
            // spring.kafka.bootstrap-servers or spring.r2dbc.url left in the JVM (JAVA_TOOL_OPTIONS, a test harness)
            // must not send the services to another cluster while the Kafka and PostgreSQL started here stand idle.
            // To use Kafka or PostgreSQL of your own, set their environment variables: then nothing is embedded.
            MapPropertySource started = new MapPropertySource("amebo-standalone-embedded", embedded);
            if (sources.contains(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME)) {
                sources.addAfter(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME, started);
            } else {
                sources.addFirst(started);
            }
        });
        application.setRegisterShutdownHook(false); // main() closes in order: services, Kafka, PostgreSQL
        ConfigurableApplicationContext context;
        try {
            context = application.run(args);
        } catch (RuntimeException e) {
            closeQuietly(kafka, database);
            throw e;
        }
        Standalone standalone = new Standalone(context, kafka, database);
        announce(standalone.port(), data, admin);
        return standalone;
    }

    /** A secret from the environment, or from its file in the data directory, or new (and then stored). */
    private record Secret(String value, boolean generated, Path file) {}

    private static Secret secret(
            Map<String, String> env, String variable, Path file, java.util.function.Supplier<String> generate) {
        String given = env.get(variable);
        if (given != null && !given.isBlank()) {
            return new Secret(given.trim(), false, null);
        }
        try {
            if (Files.exists(file)) {
                return new Secret(Files.readString(file, StandardCharsets.UTF_8).trim(), false, file);
            }
            Files.createDirectories(file.getParent());
            String value = generate.get();
            Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the file keeps the directory's permissions
            }
            return new Secret(value, true, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or store " + file, e);
        }
    }

    private static String token() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return "amebo_" + HexFormat.of().formatHex(bytes);
    }

    private static void announce(int port, Path data, Secret admin) {
        StringBuilder message = new StringBuilder()
                .append("\n\n  Amebo is ready at http://localhost:")
                .append(port)
                .append("\n  Data directory: ")
                .append(data);
        if (admin.generated()) {
            message.append("\n  Admin token (shown once, kept in ")
                    .append(admin.file())
                    .append("):\n    ")
                    .append(admin.value());
        } else if (admin.file() != null) {
            message.append("\n  Admin token: in ").append(admin.file());
        } else {
            message.append("\n  Admin token: AMEBO_ADMIN_TOKEN");
        }
        message.append("\n  Try: curl -H \"Authorization: Bearer <admin token>\" http://localhost:")
                .append(port)
                .append("/v1/applications\n");
        log.info("{}", message);
    }

    private static void closeQuietly(AutoCloseable... closeables) {
        for (AutoCloseable closeable : closeables) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    log.warn("Could not stop {}", closeable, e);
                }
            }
        }
    }
}
