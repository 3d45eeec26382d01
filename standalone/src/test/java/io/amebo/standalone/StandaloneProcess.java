package io.amebo.standalone;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The standalone in a JVM of its own, as a user runs it: {@code java -jar target/amebo-standalone.jar} when the jar
 * has been packaged (it has in {@code ./mvnw verify}), else its main class on this JVM's class path. Its output goes
 * to a log file; it is told its data directory and ports through the environment, and nothing else of this JVM's
 * environment that could point it elsewhere ({@code SPRING_*}, {@code AMEBO_*}) is passed on.
 */
final class StandaloneProcess {

    /** The ports one standalone listens on. */
    record Ports(int http, int kafka, int controller, int postgres) {}

    private final Ports ports;
    private final Path log;
    private final Process process;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private StandaloneProcess(Ports ports, Path log, Process process) {
        this.ports = ports;
        this.log = log;
        this.process = process;
    }

    static StandaloneProcess start(Path data, Ports ports, Path log) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));
        Path jar = Path.of(System.getProperty("basedir", "."), "target", "amebo-standalone.jar");
        if (Files.isRegularFile(jar)) {
            command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        } else {
            command.addAll(
                    List.of("-cp", System.getProperty("java.class.path"), StandaloneApplication.class.getName()));
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("SPRING_") || name.startsWith("AMEBO_"));
        env.put("AMEBO_DATA_DIR", data.toString());
        env.put("SERVER_PORT", String.valueOf(ports.http()));
        env.put("AMEBO_KAFKA_PORT", String.valueOf(ports.kafka()));
        env.put("AMEBO_KAFKA_CONTROLLER_PORT", String.valueOf(ports.controller()));
        env.put("AMEBO_POSTGRES_PORT", String.valueOf(ports.postgres()));
        try {
            return new StandaloneProcess(ports, log, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    String url() {
        return "http://localhost:" + ports.http();
    }

    long pid() {
        return process.pid();
    }

    /** Waits until {@code /health/ready} answers 200 (Kafka and PostgreSQL reachable); fails if the JVM exits. */
    StandaloneProcess awaitReady(Duration atMost) {
        await().atMost(atMost)
                .pollInterval(Duration.ofMillis(250))
                .failFast("the standalone exited; its output is in " + log, () -> !process.isAlive())
                .until(this::ready);
        return this;
    }

    private boolean ready() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL (what {@link Process#destroyForcibly()} sends on Linux): no shutdown hook runs. */
    void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    /** SIGTERM: the standalone stops its services, then Kafka, then PostgreSQL. */
    void stop() {
        if (process.isAlive()) {
            process.destroy();
            if (!waitFor(Duration.ofSeconds(60))) {
                process.destroyForcibly();
                waitFor(Duration.ofSeconds(30));
            }
        }
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Stops what a killed standalone leaves running on its data directory: its PostgreSQL is a daemon of its own
     * (its parent is init, not the JVM), so SIGKILL on the JVM does not end it.
     */
    static void stopLeftovers(Path data) {
        String directory = data.toAbsolutePath().toString();
        List<ProcessHandle> leftovers = ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p ->
                        p.info().commandLine().map(c -> c.contains(directory)).orElse(false))
                .toList();
        leftovers.forEach(ProcessHandle::destroy);
        for (ProcessHandle leftover : leftovers) {
            try {
                leftover.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                leftover.destroyForcibly();
            }
        }
    }

    /** The last {@code lines} lines of the process's output. */
    String tail(int lines) {
        try {
            List<String> all = new String(Files.readAllBytes(log), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
