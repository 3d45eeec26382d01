package io.amebo.standalone.checker;

import io.amebo.dispatcher.DispatcherApplication;
import io.amebo.standalone.StandaloneApplication;
import io.amebo.testkit.OwnNettyResources;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.SharedPostgres;
import io.amebo.testkit.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The system under test, all on the JVM's shared broker and PostgreSQL: the registry and the gateway in one Spring
 * context (the standalone's composition with the dispatcher left out), and dispatcher instances, each in a Spring
 * context of its own in this JVM, or in a JVM process of its own that can be killed (SIGKILL: no shutdown hook, no
 * last commit, no last write of the delivery log). Every dispatcher reaches PostgreSQL through a {@link TcpProxy}
 * of its own, so the delivery log's database can go away under it and come back.
 */
final class Cluster implements AutoCloseable {

    static final String MASTER_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    private static final String REGISTRY = "io.amebo.registry.config.RegistryAutoConfiguration";
    private static final String GATEWAY = "io.amebo.gateway.config.GatewayAutoConfiguration";
    private static final String DISPATCHER = "io.amebo.dispatcher.config.DispatcherAutoConfiguration";
    private static final String FLYWAY = "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration";

    private final String prefix;
    private final SharedKafka kafka;
    private final SharedPostgres.Database database;
    private final Path logs;
    private final List<Dispatcher> dispatchers = new ArrayList<>();
    private ConfigurableApplicationContext services;
    private String servicesUrl;

    Cluster(String prefix, SharedKafka kafka, SharedPostgres.Database database, Path logs) {
        this.prefix = prefix;
        this.kafka = kafka;
        this.database = database;
        this.logs = logs;
    }

    /** Starts the registry and the gateway in one context, on a port of their own that each calls the other on. */
    void startServices() {
        int port = freePort();
        servicesUrl = "http://localhost:" + port;
        services = new SpringApplicationBuilder(StandaloneApplication.class, OwnNettyResources.class)
                .run(
                        "--server.port=" + port,
                        "--spring.autoconfigure.exclude=" + DISPATCHER,
                        "--spring.main.banner-mode=off",
                        "--logging.level.root=WARN",
                        "--amebo.kafka.topic-prefix=" + prefix,
                        "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                        "--spring.r2dbc.url=" + database.r2dbcUrl(),
                        "--spring.r2dbc.username=" + database.user(),
                        "--spring.r2dbc.password=" + database.password(),
                        "--spring.flyway.url=" + database.jdbcUrl(),
                        "--spring.flyway.user=" + database.user(),
                        "--spring.flyway.password=" + database.password(),
                        "--amebo.auth.admin-token=" + AmeboApi.ADMIN_TOKEN,
                        "--amebo.auth.master-key=" + MASTER_KEY,
                        "--amebo.gateway.registry-url=" + servicesUrl,
                        "--amebo.gateway.public-url=" + servicesUrl,
                        "--amebo.registry.allow-private-addresses=true",
                        "--amebo.registry.changelog-interval=100ms");
    }

    String servicesUrl() {
        return servicesUrl;
    }

    /** Adds a dispatcher (not started): in this JVM, or in a process of its own. */
    Dispatcher addDispatcher(String name, boolean ownProcess, String... settings) {
        Dispatcher dispatcher = ownProcess ? new ProcessDispatcher(name) : new ContextDispatcher(name);
        for (int i = 0; i + 1 < settings.length; i += 2) {
            dispatcher.settings.put(settings[i], settings[i + 1]);
        }
        dispatchers.add(dispatcher);
        return dispatcher;
    }

    List<Dispatcher> dispatchers() {
        return List.copyOf(dispatchers);
    }

    /** The URL of a running dispatcher in this JVM, for the delivery log's API. */
    String dispatcherUrl() {
        return dispatchers.stream()
                .filter(d -> d instanceof ContextDispatcher && d.url() != null)
                .map(Dispatcher::url)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no dispatcher runs in this JVM"));
    }

    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (Dispatcher d : dispatchers) {
            Thread thread = new Thread(
                    () -> {
                        long started = System.nanoTime();
                        d.close();
                        System.out.printf(
                                "[checker] %s stopped in %d ms%n",
                                d, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                    },
                    "checker-stop-" + d.name);
            thread.start();
            stopping.add(thread);
        }
        for (Thread thread : stopping) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (services != null) {
            long started = System.nanoTime();
            services.close();
            System.out.printf(
                    "[checker] registry and gateway stopped in %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    /** The settings every dispatcher runs with (the brief's, small so that a run is short), and its own. */
    private List<String> dispatcherArgs(int port, TcpProxy proxy, Map<String, String> own) {
        String db = "localhost:" + proxy.port() + "/" + database.name();
        Map<String, String> dispatcher = new LinkedHashMap<>();
        dispatcher.put("registry-url", servicesUrl);
        dispatcher.put("allow-loopback", "true");
        dispatcher.put("request-timeout", Handlers.REQUEST_TIMEOUT_MS + "ms");
        dispatcher.put("retry-base", "200ms");
        dispatcher.put("overload-floor", "1s");
        dispatcher.put("breaker-open-for", "1s");
        dispatcher.put("gist-interval", "100ms");
        dispatcher.put("paused-retry-wait", "2s");
        dispatcher.put("shutdown-grace", "2s");
        dispatcher.putAll(own);
        List<String> args = new ArrayList<>(List.of(
                "--server.port=" + port,
                "--spring.autoconfigure.exclude=" + REGISTRY + "," + GATEWAY + "," + FLYWAY,
                "--spring.main.banner-mode=off",
                "--amebo.kafka.topic-prefix=" + prefix,
                "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                // a killed member's partitions move after 6 s (the broker's shortest session) rather than 10 s
                "--spring.kafka.consumer.properties.session.timeout.ms=6000",
                "--spring.kafka.consumer.properties.heartbeat.interval.ms=2000",
                "--spring.r2dbc.url=r2dbc:postgresql://" + db,
                "--spring.r2dbc.username=" + database.user(),
                "--spring.r2dbc.password=" + database.password(),
                "--spring.flyway.url=jdbc:postgresql://" + db,
                "--spring.flyway.user=" + database.user(),
                "--spring.flyway.password=" + database.password(),
                "--amebo.auth.admin-token=" + AmeboApi.ADMIN_TOKEN,
                "--amebo.auth.master-key=" + MASTER_KEY));
        dispatcher.forEach((key, value) -> args.add("--amebo.dispatcher." + key + "=" + value));
        return args;
    }

    /** One dispatcher instance, with its own line to PostgreSQL. */
    abstract class Dispatcher implements AutoCloseable {
        final String name;
        final TcpProxy database;
        final Map<String, String> settings = new LinkedHashMap<>();

        Dispatcher(String name) {
            this.name = name;
            this.database = TcpProxy.start("localhost", Cluster.this.database.port());
        }

        abstract void start();

        /** Stops the instance the way this kind of instance stops (gracefully, or killed). */
        abstract void stop();

        abstract boolean running();

        @Override
        public void close() {
            stop();
            database.close();
        }

        /** Its HTTP API, while it runs; null otherwise. */
        abstract String url();

        List<String> args(int port) {
            List<String> args = new ArrayList<>(dispatcherArgs(port, database, settings));
            // its consumers show in their groups under its name: who holds a partition that does not move
            args.add("--spring.kafka.client-id=" + name);
            return args;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A dispatcher in a Spring context of this JVM, stopped gracefully (the context is closed). */
    final class ContextDispatcher extends Dispatcher {
        private volatile ConfigurableApplicationContext context;

        ContextDispatcher(String name) {
            super(name);
        }

        @Override
        synchronized void start() {
            if (context == null) {
                List<String> args = new ArrayList<>(args(0));
                // the checker reports dead deliveries itself; each one's warning would only bury its report
                args.addAll(List.of(
                        "--logging.level.root=WARN",
                        "--logging.level.io.amebo.dispatcher.delivery.DeliveryExecutor=ERROR",
                        "--logging.level.io.amebo.dispatcher.store.GistLog=INFO"));
                context = new SpringApplicationBuilder(DispatcherApplication.class, OwnNettyResources.class)
                        .run(args.toArray(String[]::new));
            }
        }

        @Override
        synchronized void stop() {
            if (context != null) {
                ConfigurableApplicationContext closing = context;
                context = null;
                closing.close();
            }
        }

        @Override
        boolean running() {
            return context != null;
        }

        @Override
        String url() {
            ConfigurableApplicationContext current = context;
            return current == null
                    ? null
                    : "http://localhost:"
                            + ((WebServerApplicationContext) current)
                                    .getWebServer()
                                    .getPort();
        }
    }

    /**
     * A dispatcher in a JVM of its own, on this JVM's classpath, stopped by SIGKILL: the closest thing to a crash.
     * Its output goes to a log file beside the run's other logs.
     */
    final class ProcessDispatcher extends Dispatcher {
        private volatile Process process;
        private volatile int port;
        private int starts;

        ProcessDispatcher(String name) {
            super(name);
        }

        @Override
        synchronized void start() {
            if (process != null && process.isAlive()) {
                return;
            }
            try {
                Files.createDirectories(logs);
                Path argfile = logs.resolve(name + ".args");
                Files.writeString(
                        argfile, "-cp \"" + System.getProperty("java.class.path") + "\"\n", StandardCharsets.UTF_8);
                List<String> command = new ArrayList<>(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx384m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-Xss512k",
                        "@" + argfile,
                        DispatcherApplication.class.getName()));
                port = freePort();
                command.addAll(args(port));
                command.addAll(List.of(
                        "--logging.level.root=WARN",
                        "--logging.level.io.amebo=INFO",
                        "--logging.level.io.amebo.dispatcher.kafka=DEBUG"));
                Path log = logs.resolve(name + "-" + (++starts) + ".log");
                process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start dispatcher " + name, e);
            }
        }

        @Override
        synchronized void stop() {
            Process current = process;
            if (current == null) {
                return;
            }
            process = null;
            current.destroyForcibly(); // SIGKILL
            try {
                current.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        boolean running() {
            Process current = process;
            return current != null && current.isAlive();
        }

        @Override
        String url() {
            return running() ? "http://localhost:" + port : null;
        }

        /** The process's threads as {@code jcmd Thread.print} shows them, or why there are none. */
        String threadDump() {
            Process current = process;
            if (current == null || !current.isAlive()) {
                return "(not running)";
            }
            try {
                Process jcmd = new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                        .toString(),
                                Long.toString(current.pid()),
                                "Thread.print")
                        .redirectErrorStream(true)
                        .start();
                String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                jcmd.waitFor(30, TimeUnit.SECONDS);
                Files.writeString(logs.resolve(name + "-threads.txt"), dump, StandardCharsets.UTF_8);
                return dump;
            } catch (IOException e) {
                return "(no thread dump: " + e + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "(interrupted)";
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
