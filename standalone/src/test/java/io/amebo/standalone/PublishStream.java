package io.amebo.standalone;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes a numbered stream of events ({@code {"n": <number>}}) to {@code POST /v1/events} from a few concurrent
 * publishers until stopped, and keeps what each publish was answered: the id of every acknowledged event (2xx), the
 * refusals by status, and the publishes that got no answer at all (connection refused or reset, timeout). Numbers are
 * unique within a stream, so the payload found under an acknowledged id can be checked against the one sent.
 *
 * <p>Each publisher sends one request at a time and waits {@code pace} after each answer, on a scheduler rather than
 * a sleep, so the stream's rate is bounded whatever the gateway's speed.
 */
final class PublishStream implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A publish answered 2xx: the number sent, the id answered, and the phase of the test it was sent in. */
    record Acknowledged(long n, String id, String phase) {}

    private final HttpClient http;
    private final URI events;
    private final String authorization;
    private final String action;
    private final AtomicLong numbers;
    private final ScheduledExecutorService publishers;
    private final Queue<Acknowledged> acknowledged = new ConcurrentLinkedQueue<>();
    private final Map<Integer, AtomicInteger> refused = new ConcurrentHashMap<>();
    private final Queue<Long> notAcknowledged = new ConcurrentLinkedQueue<>();
    private final AtomicInteger unanswered = new AtomicInteger();
    private volatile String phase = "start";
    private volatile boolean running = true;

    private PublishStream(
            String baseUrl, String authorization, String action, long firstNumber, int publishers, Duration pace) {
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.events = URI.create(baseUrl + "/v1/events");
        this.authorization = authorization;
        this.action = action;
        this.numbers = new AtomicLong(firstNumber);
        this.publishers = Executors.newScheduledThreadPool(publishers, runnable -> {
            Thread thread = new Thread(runnable, "publish-stream");
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < publishers; i++) {
            this.publishers.scheduleWithFixedDelay(this::publishOne, 0, pace.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Starts publishing {@code firstNumber}, {@code firstNumber + 1}, ... at once. */
    static PublishStream start(
            String baseUrl, String authorization, String action, long firstNumber, int publishers, Duration pace) {
        return new PublishStream(baseUrl, authorization, action, firstNumber, publishers, pace);
    }

    /** Labels the publishes sent from now on (e.g. "before", "during", "after" a fault). */
    void phase(String phase) {
        this.phase = phase;
    }

    /** Stops sending and waits for the publishes under way to be answered or to time out. */
    void stop() {
        running = false;
        publishers.shutdown();
        try {
            if (!publishers.awaitTermination(30, TimeUnit.SECONDS)) {
                publishers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            publishers.shutdownNow();
        }
    }

    @Override
    public void close() {
        stop();
    }

    List<Acknowledged> acknowledged() {
        return List.copyOf(acknowledged);
    }

    long acknowledged(String phase) {
        return acknowledged.stream().filter(a -> a.phase().equals(phase)).count();
    }

    /** Refusals (any status but 2xx) by status. */
    Map<Integer, Integer> refused() {
        Map<Integer, Integer> counts = new TreeMap<>();
        refused.forEach((status, count) -> counts.put(status, count.get()));
        return counts;
    }

    int refusedCount() {
        return refused.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Publishes that got no HTTP answer: they may or may not have been appended. */
    int unanswered() {
        return unanswered.get();
    }

    /** The numbers of every publish refused or unanswered: whether they were appended is unknown. */
    List<Long> notAcknowledged() {
        return new ArrayList<>(notAcknowledged);
    }

    private void publishOne() {
        if (!running) {
            return;
        }
        long n = numbers.getAndIncrement();
        String body = "{\"action\":\"%s\",\"payload\":{\"n\":%d}}".formatted(action, n);
        HttpRequest request = HttpRequest.newBuilder(events)
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        String sentIn = phase;
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                String id = JSON.readTree(response.body()).path("id").asString();
                acknowledged.add(new Acknowledged(n, id, sentIn));
            } else {
                refused.computeIfAbsent(response.statusCode(), s -> new AtomicInteger())
                        .incrementAndGet();
                notAcknowledged.add(n);
            }
        } catch (IOException e) {
            unanswered.incrementAndGet();
            notAcknowledged.add(n);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unanswered.incrementAndGet();
            notAcknowledged.add(n);
        }
    }
}
