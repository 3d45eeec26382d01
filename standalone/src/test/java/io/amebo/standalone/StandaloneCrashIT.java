package io.amebo.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.testkit.AtLeastOnce;
import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Reply;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * DESIGN §6.1, §6.2 and §6.7 for the standalone as a user runs it: a JVM of its own on a data directory, killed with
 * SIGKILL in the middle of a stream of publishes while deliveries to a slow handler are under way, then started
 * again on the same data. Every event answered 2xx before the kill is still readable through {@code GET /v1/events}
 * under the id it was answered with, and reaches the handler at least once: those that had not when the kill came
 * arrive after the restart, and duplicates (the deliveries in flight at the kill) are allowed. Events published after
 * the restart are delivered too.
 */
class StandaloneCrashIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ACTION = "payment.captured";
    private static final int BEFORE_KILL = 300;
    private static final int AFTER_RESTART = 20;

    @TempDir
    Path directory;

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private final List<StandaloneProcess> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    @RegisterExtension
    final TestWatcher output = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            processes.forEach(
                    p -> System.out.printf("%n--- last output of standalone %d ---%n%s%n", p.pid(), p.tail(60)));
        }
    };

    @AfterEach
    void stop() {
        processes.forEach(StandaloneProcess::stop);
        StandaloneProcess.stopLeftovers(directory.resolve("data"));
        receiver.close();
    }

    @Test
    void keepsAndDeliversEveryAcknowledgedEventAfterAKillMidStream() throws Exception {
        long started = System.nanoTime();
        Path data = directory.resolve("data");
        StandaloneProcess.Ports ports = new StandaloneProcess.Ports(freePort(), freePort(), freePort(), freePort());
        StandaloneProcess first = launch(data, ports, "first.log");
        long firstReady = System.nanoTime();

        String admin = "Bearer " + Files.readString(data.resolve("admin-token")).trim();
        post(first, "/v1/applications", admin, """
                {"application": "payments", "address": "https://payments.example.com",
                 "secret": "payments-secret-0123456789"}""");
        post(first, "/v1/applications", admin, """
                {"application": "ledger", "address": "%s", "secret": "ledger-secret-0123456789"}""".formatted(receiver.url("/")));
        String payments = basic("payments", "payments-secret-0123456789");
        post(first, "/v1/actions", payments, """
                {"action": "%s", "application": "payments",
                 "schemata": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}""".formatted(ACTION));
        post(first, "/v1/subscriptions", basic("ledger", "ledger-secret-0123456789"), """
                {"application": "ledger", "subscription": "ledger-entries", "action": "%s", "handler": "/hooks"}""".formatted(ACTION));
        // a slow handler: at the kill, deliveries are in flight and acknowledged events are still waiting for theirs
        receiver.respondByDefault(Reply.status(200).after(Duration.ofSeconds(2)));

        PublishStream stream = PublishStream.start(first.url(), payments, ACTION, 1, 2, Duration.ofMillis(10));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> stream.acknowledged().size() >= BEFORE_KILL && receiver.count() > 0);
        first.kill();
        long killed = System.nanoTime();
        stream.stop();

        Map<String, Long> acknowledged = stream.acknowledged().stream()
                .collect(Collectors.toMap(PublishStream.Acknowledged::id, PublishStream.Acknowledged::n));
        AtLeastOnce delivery = AtLeastOnce.of(receiver);
        int requestsAtKill = receiver.count();
        int waitingAtKill = delivery.missing(acknowledged.keySet()).size();
        assertThat(waitingAtKill)
                .as("acknowledged events that had not reached the handler when the kill came")
                .isPositive();

        StandaloneProcess second = launch(data, ports, "second.log");
        long secondReady = System.nanoTime();

        // every event acknowledged before the kill is still there, under its id, with its payload
        Map<String, Long> stored = events(second, payments);
        assertThat(stored).containsAllEntriesOf(acknowledged);

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(delivery.missing(acknowledged.keySet()))
                        .as("acknowledged before the kill, never delivered")
                        .isEmpty());
        for (WebhookReceiver.Received request : receiver.requests()) {
            String id = request.header("webhook-id");
            if (acknowledged.containsKey(id)) {
                assertThat(JSON.readTree(request.body())
                                .path("payload")
                                .path("n")
                                .asLong())
                        .as("the payload delivered as %s", id)
                        .isEqualTo(acknowledged.get(id));
            }
        }
        long caughtUp = System.nanoTime();

        // and delivery goes on for what is published after the restart
        receiver.respondByDefault(Reply.status(200));
        PublishStream later = PublishStream.start(second.url(), payments, ACTION, 1_000_000, 1, Duration.ofMillis(10));
        await().atMost(Duration.ofSeconds(30)).until(() -> later.acknowledged().size() >= AFTER_RESTART);
        later.stop();
        List<String> afterRestart = later.acknowledged().stream()
                .map(PublishStream.Acknowledged::id)
                .toList();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(delivery.missing(afterRestart))
                        .as("published after the restart, never delivered")
                        .isEmpty());

        System.out.printf(
                "%nStandaloneCrashIT: first start %d s; killed (SIGKILL) after %d acknowledged publishes"
                        + " (%d refused %s, %d unanswered at the kill); %d of them had not reached the handler"
                        + " yet (%d requests received by then)%n"
                        + "  restart %d s; all acknowledged events readable (%d events stored); all delivered %d ms"
                        + " after the restart was ready: %s%n"
                        + "  after the restart: %d published and delivered; whole test %d s%n%n",
                TimeUnit.NANOSECONDS.toSeconds(firstReady - started),
                acknowledged.size(),
                stream.refusedCount(),
                stream.refused(),
                stream.unanswered(),
                waitingAtKill,
                requestsAtKill,
                TimeUnit.NANOSECONDS.toSeconds(secondReady - killed),
                stored.size(),
                TimeUnit.NANOSECONDS.toMillis(caughtUp - secondReady),
                delivery.tally(acknowledged.keySet()),
                afterRestart.size(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    private StandaloneProcess launch(Path data, StandaloneProcess.Ports ports, String log) {
        StandaloneProcess process = StandaloneProcess.start(data, ports, directory.resolve(log));
        processes.add(process);
        return process.awaitReady(Duration.ofSeconds(120));
    }

    /** Every event of the action, streamed as NDJSON from {@code GET /v1/events}: id → the number in its payload. */
    private Map<String, Long> events(StandaloneProcess standalone, String authorization) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(
                        standalone.url() + "/v1/events?action=" + URLEncoder.encode(ACTION, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", authorization)
                .header("Accept", "application/x-ndjson")
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Long> events = new HashMap<>();
        response.body().lines().filter(line -> !line.isBlank()).forEach(line -> {
            JsonNode event = JSON.readTree(line);
            events.put(
                    event.path("id").asString(), event.path("payload").path("n").asLong());
        });
        return events;
    }

    private void post(StandaloneProcess standalone, String path, String authorization, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(standalone.url() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("POST %s: %s", path, response.body())
                .isEqualTo(201);
    }

    private static String basic(String application, String secret) {
        return "Basic "
                + Base64.getEncoder().encodeToString((application + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
