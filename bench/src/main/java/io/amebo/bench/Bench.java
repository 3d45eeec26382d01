package io.amebo.bench;

import io.amebo.bench.Load.Request;
import io.amebo.bench.Load.Result;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark (DESIGN §7), one command, one machine, one run: it starts the built standalone in a JVM of its own
 * (timing its cold start), measures the ceilings (a Boot WebFlux no-op POST in another JVM; a bare idempotent
 * acks=all KafkaProducer on the standalone's broker; a bare consumer plus HTTP client delivering to the same no-op
 * receiver the product delivers to), then the product on the same broker, and prints one table of figure, ceiling,
 * ratio and target. The results go to {@code bench/results/<date>-<commit>.json}.
 *
 * <p>{@code -Dbench.seconds} (15) is each measurement's length, {@code -Dbench.warmup} (60) each warm-up's: a
 * JIT-compiled standalone needs about that long under load to reach its steady rate.
 */
public final class Bench {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int IN_FLIGHT = 64;
    private static final String ACTION = "bench.events";
    private static final String SECRET = "bench-publisher-secret-0123";

    private final Duration seconds = Duration.ofSeconds(Long.getLong("bench.seconds", 15));
    private final Duration warmup = Duration.ofSeconds(Long.getLong("bench.warmup", 60));
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final List<String[]> table = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private Process standalone;
    private String base;
    private String admin;
    private String bootstrap;
    private String publisher;

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("noop-server")) {
            NoopServer.run(Integer.parseInt(args[1]), args.length > 2 ? args[2] : "");
            return;
        }
        new Bench().run(Path.of(args.length > 0 ? args[0] : "standalone/target/amebo-standalone.jar"));
    }

    private void run(Path jar) throws Exception {
        try (Receiver receiver = new Receiver()) {
            double coldStart = startStandalone(jar);
            row("standalone cold start to ready", fmt(coldStart, "s"), "", "", "<= 15 s");
            figures.put("cold_start_seconds", coldStart);

            String only = System.getProperty("bench.only", "");
            Result[] ceilings = only.isEmpty() ? noopCeiling() : null;
            Result noop = ceilings == null ? new Result(0, 0, 0, 0, 0, 0) : ceilings[0];
            register(receiver);
            if (only.equals("batch")) {
                row("batch publish, events/s", fmt(batchPublish()), "", "", "");
                return;
            }
            if (only.equals("get")) {
                Result byId = getById();
                row("GET /v1/events/{id} (p50 / p99 ms)", fmt(byId.p50()) + " / " + fmt(byId.p99()), "", "", "");
                return;
            }
            if (only.equals("open")) {
                // for the latency tail: a warm-up, then an open loop at -Dbench.rate (2000) publishes a second
                publish(IN_FLIGHT);
                Map<Double, Double> before = serverLatencyBuckets();
                Result open = openLoopPublish(Integer.getInteger("bench.rate", 2000));
                Map<Double, Double> after = serverLatencyBuckets();
                row(
                        "open-loop publish (p50 / p99 / max ms)",
                        fmt(open.p50()) + " / " + fmt(open.p99()) + " / " + fmt(open.max()),
                        "",
                        "",
                        "");
                row(
                        "the same, p99 as the gateway measured it (receipt to answer), ms <=",
                        fmt(bucketPercentile(before, after, 0.99) * 1000),
                        "",
                        "",
                        "");
                return;
            }
            if (only.equals("publish")) {
                // for profiling the publish path alone: -Dbench.only=publish
                row("single publish, req/s", fmt(publish(IN_FLIGHT).perSecond()), "", "", "");
                return;
            }

            Result single = publish(IN_FLIGHT);
            row(
                    "single publish, req/s (p50 / p99 ms)",
                    fmt(single.perSecond()) + " (" + fmt(single.p50()) + " / " + fmt(single.p99()) + ")",
                    fmt(noop.perSecond()) + " no-op POST",
                    ratio(single.perSecond(), noop.perSecond()),
                    ">= 0.60");
            figures.put("single_publish", single);
            figures.put("noop_post", noop);
            row(
                    "reference: bare WebFlux -> Kafka, one ack a request, req/s (p50 / p99 ms)",
                    fmt(ceilings[1].perSecond()) + " (" + fmt(ceilings[1].p50()) + " / " + fmt(ceilings[1].p99()) + ")",
                    fmt(noop.perSecond()) + " no-op POST",
                    ratio(ceilings[1].perSecond(), noop.perSecond()),
                    "");
            figures.put("bare_gateway", ceilings[1]);

            int half = (int) Math.max(1, single.perSecond() / 2);
            Result halfLoad = openLoopPublish(half);
            row("single publish p99 at half load (" + half + "/s), ms", fmt(halfLoad.p99()), "", "", "<= 20 ms");
            figures.put("single_publish_half_load", halfLoad);

            double batch = batchPublish();
            double producer = producerCeiling();
            row(
                    "batch publish (500 x 310 B), events/s",
                    fmt(batch),
                    fmt(producer) + " bare producer",
                    ratio(batch, producer),
                    ">= 0.50");
            figures.put("batch_events_per_second", batch);
            figures.put("bare_producer_records_per_second", producer);

            Result byId = getById();
            row("GET /v1/events/{id} (p50 / p99 ms)", fmt(byId.p50()) + " / " + fmt(byId.p99()), "", "", "p50 <= 5 ms");
            figures.put("get_by_id", byId);

            double deliveryCeiling = deliveryCeiling(receiver);
            delivery(receiver, 1, 20_000); // a warm-up: the dispatcher's delivery path is still cold here
            double one = delivery(receiver, 1, 30_000);
            row(
                    "delivery, 1 subscription, events/s",
                    fmt(one),
                    fmt(deliveryCeiling) + " consumer + HTTP",
                    ratio(one, deliveryCeiling),
                    ">= 0.50");
            double ten = delivery(receiver, 10, 5_000);
            row(
                    "delivery, 10 subscriptions, events/s in all",
                    fmt(ten),
                    fmt(deliveryCeiling) + " consumer + HTTP",
                    ratio(ten, deliveryCeiling),
                    "");
            figures.put("delivery_ceiling", deliveryCeiling);
            figures.put("delivery_one_subscription", one);
            figures.put("delivery_ten_subscriptions", ten);

            double[] latency = endToEnd(receiver);
            row(
                    "publish -> handler at 1,000/s (p50 / p99 ms)",
                    fmt(latency[0]) + " / " + fmt(latency[1]),
                    "",
                    "",
                    "p99 <= 50 ms");
            figures.put("end_to_end_p50_ms", latency[0]);
            figures.put("end_to_end_p99_ms", latency[1]);

            double[] isolated = isolation(receiver);
            row(
                    "1 subscription while another's handler takes 5 s, events/s",
                    fmt(isolated[0]),
                    fmt(isolated[1]) + " alone just before",
                    ratio(isolated[0], isolated[1]),
                    ">= 0.90");
            figures.put("delivery_beside_a_slow_handler", isolated[0]);
            figures.put("delivery_alone_before_that", isolated[1]);

            double heap = heapMegabytes();
            row("standalone heap after the load, MB", fmt(heap), "", "", "<= 512 MB a service");
            figures.put("heap_mb", heap);
        } finally {
            if (standalone != null) {
                standalone.destroy();
                standalone.waitFor(30, TimeUnit.SECONDS);
            }
        }
        print();
        write();
    }

    // --- the product ------------------------------------------------------------------------------------------

    private double startStandalone(Path jar) throws Exception {
        Path data = Files.createTempDirectory("amebo-bench");
        int port = freePort();
        int kafka = freePort();
        List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx1g"));
        // e.g. -Dbench.standalone.jvm=-XX:StartFlightRecording=delay=40s,duration=20s,filename=publish.jfr
        String extra = System.getProperty("bench.standalone.jvm", "");
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(data.resolve("standalone.log").toFile());
        builder.environment().put("AMEBO_DATA_DIR", data.toString());
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        builder.environment().put("AMEBO_KAFKA_PORT", String.valueOf(kafka));
        builder.environment().put("AMEBO_KAFKA_CONTROLLER_PORT", String.valueOf(freePort()));
        builder.environment().put("AMEBO_POSTGRES_PORT", String.valueOf(freePort()));
        builder.environment().put("AMEBO_ADMIN_TOKEN", "bench-admin-token-0123456789");
        long started = System.nanoTime();
        standalone = builder.start();
        base = "http://localhost:" + port;
        admin = "Bearer bench-admin-token-0123456789";
        bootstrap = "localhost:" + kafka;
        while (status("GET", "/health/ready", null, null) != 200) {
            if (!standalone.isAlive()) {
                throw new IllegalStateException("the standalone died; see " + data.resolve("standalone.log"));
            }
            Thread.sleep(100);
        }
        System.out.printf("[bench] standalone ready; its log: %s%n", data.resolve("standalone.log"));
        return (System.nanoTime() - started) / 1e9;
    }

    private void register(Receiver receiver) throws Exception {
        send("POST", "/v1/applications", admin, """
                {"application": "bench-publisher", "address": "%s", "secret": "%s"}""".formatted(receiver.url("/"), SECRET));
        send("POST", "/v1/actions", admin, """
                {"action": "%s", "application": "bench-publisher", "partitions": 3,
                 "schemata": {"type": "object", "required": ["user_id", "email", "plan", "sent"],
                   "properties": {"user_id": {"type": "string", "maxLength": 64},
                                  "email": {"type": "string", "format": "email"},
                                  "name": {"type": "string"},
                                  "plan": {"type": "string", "enum": ["free", "premium"]},
                                  "total": {"type": "number", "minimum": 0},
                                  "note": {"type": "string"},
                                  "sent": {"type": "integer"}}}}""".formatted(ACTION));
        publisher = "Bearer "
                + JSON.readTree(send("POST", "/v1/tokens", null, """
                        {"application": "bench-publisher", "secret": "%s"}""".formatted(SECRET)))
                        .path("token")
                        .asString();
    }

    private static final String NOTE = "x".repeat(60);

    /**
     * A typical event of about 300 bytes; {@code sent} is this JVM's clock, for publish-to-handler latency. Built
     * by appending, not formatting: at tens of thousands a second the load generator must stay cheap.
     */
    private static String event(long i) {
        String id = Long.toString(i);
        return new StringBuilder(320)
                .append("{\"action\": \"")
                .append(ACTION)
                .append("\", \"payload\": {\"user_id\": \"user-")
                .append("0".repeat(Math.max(0, 8 - id.length())))
                .append(id)
                .append("\", \"email\": \"user")
                .append(id)
                .append(
                        "@example.com\", \"name\": \"Ada Lovelace\", \"plan\": \"premium\", \"total\": 129.5, \"note\": \"")
                .append(NOTE)
                .append("\", \"sent\": ")
                .append(System.nanoTime())
                .append("}}")
                .toString();
    }

    private Result publish(int inFlight) {
        try (Load load = new Load(base, inFlight)) {
            return load.closedLoop(this::publishRequest, inFlight, warmup, seconds);
        }
    }

    private Request publishRequest(long i) {
        return new Request("POST", "/v1/events", publisher, "application/json", utf8(event(i)));
    }

    private Result openLoopPublish(int rate) throws InterruptedException {
        try (Load load = new Load(base, IN_FLIGHT)) {
            return load.openLoop(this::publishRequest, rate, seconds);
        }
    }

    private double batchPublish() {
        LongFunction<Request> batch = i -> {
            StringBuilder body = new StringBuilder("[");
            for (int n = 0; n < 500; n++) {
                body.append(n == 0 ? "" : ",").append(event(i * 500 + n));
            }
            return new Request(
                    "POST",
                    "/v1/events/batch",
                    publisher,
                    "application/json",
                    utf8(body.append(']').toString()));
        };
        try (Load load = new Load(base, 4)) {
            return load.closedLoop(batch, 4, Duration.ofSeconds(Math.min(10, warmup.toSeconds())), seconds)
                            .perSecond()
                    * 500;
        }
    }

    private Result getById() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add(JSON.readTree(send("POST", "/v1/events", publisher, event(i)))
                    .path("id")
                    .asString());
        }
        try (Load load = new Load(base, 1)) {
            return load.closedLoop(
                    i -> new Request("GET", "/v1/events/" + ids.get((int) (i % ids.size())), publisher, null, null),
                    1,
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10));
        }
    }

    /**
     * Deliveries per second to the no-op receiver by {@code subscriptions} subscriptions: they are created paused,
     * {@code events} events are published, then all are resumed and the receiver counts until it has them all.
     */
    private double delivery(Receiver receiver, int subscriptions, int events) throws Exception {
        List<String> names = new ArrayList<>();
        for (int s = 0; s < subscriptions; s++) {
            String name = "bench-" + subscriptions + "-" + s + "-" + System.nanoTime();
            names.add(name);
            subscribe(name, receiver.url("/deliver"));
            send("PATCH", "/v1/subscriptions/" + name, admin, "{\"status\": \"paused\"}");
        }
        Thread.sleep(3000); // the dispatcher sees the pause before the events come
        publishBatches(events);
        long before = receiver.received();
        long expected = (long) events * subscriptions;
        long started = System.nanoTime();
        for (String name : names) {
            send("PATCH", "/v1/subscriptions/" + name, admin, "{\"status\": \"active\"}");
        }
        long deadline = started + seconds.toNanos() * 4;
        while (receiver.received() - before < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        double rate = (receiver.received() - before) / ((System.nanoTime() - started) / 1e9);
        for (String name : names) {
            send("DELETE", "/v1/subscriptions/" + name, admin, null);
        }
        return rate;
    }

    private void publishBatches(int events) throws Exception {
        for (int i = 0; i < events; i += 500) {
            StringBuilder body = new StringBuilder("[");
            for (int n = 0; n < Math.min(500, events - i); n++) {
                body.append(n == 0 ? "" : ",").append(event(i + n));
            }
            send("POST", "/v1/events/batch", publisher, body.append(']').toString());
        }
    }

    /** Publish-to-handler latency at 1,000 events/s, open loop, measured in the receiver from the payload's stamp. */
    private double[] endToEnd(Receiver receiver) throws Exception {
        String name = "bench-latency-" + System.nanoTime();
        subscribe(name, receiver.url("/timed/x"));
        Thread.sleep(3000);
        receiver.resetLatencies();
        try (Load load = new Load(base, IN_FLIGHT)) {
            load.openLoop(this::publishRequest, 1000, seconds);
        }
        Thread.sleep(2000);
        send("DELETE", "/v1/subscriptions/" + name, admin, null);
        org.HdrHistogram.Histogram latencies = receiver.latencies();
        System.out.printf("[bench] %d deliveries timed end to end%n", latencies.getTotalCount());
        return new double[] {latencies.getValueAtPercentile(50) / 1000.0, latencies.getValueAtPercentile(99) / 1000.0};
    }

    /**
     * One subscription's delivery rate while another, on the same action, has a handler that takes 5 s, against
     * the same subscription's rate alone measured just before (so both run on an equally warm JVM).
     */
    private double[] isolation(Receiver receiver) throws Exception {
        double alone = delivery(receiver, 1, 30_000);
        String slow = "bench-slow-" + System.nanoTime();
        subscribe(slow, receiver.url("/slow/x"));
        Thread.sleep(2000);
        double beside = delivery(receiver, 1, 30_000);
        send("DELETE", "/v1/subscriptions/" + slow, admin, null);
        return new double[] {beside, alone};
    }

    private void subscribe(String name, String handler) throws Exception {
        send("POST", "/v1/subscriptions", admin, """
                {"application": "bench-publisher", "subscription": "%s", "action": "%s", "handler": "%s",
                 "max_retries": 3}""".formatted(name, ACTION, handler));
    }

    private double heapMegabytes() throws Exception {
        String metrics = send("GET", "/metrics", null, null);
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.eE+]+)$")
                .matcher(metrics);
        double bytes = 0;
        while (m.find()) {
            bytes += Double.parseDouble(m.group(1));
        }
        return bytes / (1024 * 1024);
    }

    /** The gateway's {@code amebo.publish.latency} histogram: upper bound in seconds to cumulative count. */
    private Map<Double, Double> serverLatencyBuckets() throws Exception {
        Matcher m = Pattern.compile(
                        "(?m)^amebo_publish_latency_seconds_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*\\} ([0-9.eE+]+)$")
                .matcher(send("GET", "/metrics", null, null));
        Map<Double, Double> buckets = new java.util.TreeMap<>();
        while (m.find()) {
            double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
            buckets.merge(le, Double.parseDouble(m.group(2)), Double::sum);
        }
        return buckets;
    }

    /** The smallest bucket bound under which {@code q} of the requests between the two snapshots fell. */
    private static double bucketPercentile(Map<Double, Double> before, Map<Double, Double> after, double q) {
        double total =
                after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        for (Map.Entry<Double, Double> bucket : after.entrySet()) {
            if (bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0) >= q * total) {
                return bucket.getKey();
            }
        }
        return Double.NaN;
    }

    // --- the ceilings -----------------------------------------------------------------------------------------

    /**
     * The no-op POST, then (in the same JVM, warm) the bare per-request-ack gateway on the standalone's broker: the
     * HTTP ceiling and the reference of what a co-located broker leaves of it.
     */
    private Result[] noopCeiling() throws Exception {
        try (Admin kafka = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            kafka.createTopics(List.of(new NewTopic("bench.bare", 3, (short) 1)))
                    .all()
                    .get();
        }
        int port = freePort();
        Process noop = new ProcessBuilder(
                        javaBin(),
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "org.springframework.boot.loader.launch.JarLauncher",
                        "noop-server",
                        String.valueOf(port),
                        bootstrap)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String url = "http://localhost:" + port;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!answers(url + "/noop")) {
                if (System.nanoTime() > deadline || !noop.isAlive()) {
                    throw new IllegalStateException("the no-op server did not start");
                }
                Thread.sleep(100);
            }
            byte[] body = utf8(event(0));
            try (Load load = new Load(url, IN_FLIGHT)) {
                Result ceiling = load.closedLoop(
                        i -> new Request("POST", "/noop", null, "application/json", body), IN_FLIGHT, warmup, seconds);
                Result bare = load.closedLoop(
                        i -> new Request("POST", "/kafka", null, "application/json", body), IN_FLIGHT, warmup, seconds);
                return new Result[] {ceiling, bare};
            }
        } finally {
            noop.destroy();
            noop.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** A bare idempotent acks=all producer flooding a 3-partition topic with records of the batch's size. */
    private double producerCeiling() throws Exception {
        String topic = "bench.ceiling." + System.nanoTime();
        Properties admin = new Properties();
        admin.put("bootstrap.servers", bootstrap);
        try (Admin kafka = Admin.create(admin)) {
            kafka.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        byte[] value = utf8(event(0)).clone();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            flood(producer, topic, value, warmup);
            AtomicLong acked = new AtomicLong();
            long started = System.nanoTime();
            long sent = flood(producer, topic, value, seconds, acked);
            producer.flush();
            return sent / ((System.nanoTime() - started) / 1e9);
        }
    }

    private static void flood(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value, Duration time) {
        flood(producer, topic, value, time, new AtomicLong());
    }

    private static long flood(
            KafkaProducer<byte[], byte[]> producer, String topic, byte[] value, Duration time, AtomicLong acked) {
        long deadline = System.nanoTime() + time.toNanos();
        long sent = 0;
        while (System.nanoTime() < deadline) {
            producer.send(new ProducerRecord<>(topic, value), (metadata, e) -> acked.incrementAndGet());
            sent++;
        }
        return sent;
    }

    /**
     * A bare consumer reading the action's topic from the start and posting each value to the no-op receiver, 64 in
     * flight: what delivery could be without Amebo's bookkeeping (signing, retries, breakers, the delivery log).
     */
    private double deliveryCeiling(Receiver receiver) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-ceiling-" + System.nanoTime());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                Load load = new Load(receiver.url(""), IN_FLIGHT)) {
            consumer.subscribe(List.of("amebo." + ACTION));
            long deadline = System.nanoTime() + seconds.toNanos();
            long before = receiver.received();
            long started = System.nanoTime();
            Flux.<List<ConsumerRecord<byte[], byte[]>>>generate(sink -> {
                        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                        if (System.nanoTime() < deadline) {
                            consumer.poll(Duration.ofMillis(500)).forEach(batch::add);
                        }
                        if (batch.isEmpty()) {
                            sink.complete();
                        } else {
                            sink.next(batch);
                        }
                    })
                    .concatMapIterable(batch -> batch)
                    .flatMap(
                            record -> load.single(
                                    new Request("POST", "/deliver", null, "application/json", record.value())),
                            IN_FLIGHT,
                            1)
                    .blockLast(seconds.plusSeconds(60));
            return (receiver.received() - before) / ((System.nanoTime() - started) / 1e9);
        }
    }

    // --- plumbing ---------------------------------------------------------------------------------------------

    private String send(String method, String path, String authorization, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(
                    method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private int status(String method, String path, String authorization, String json) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(base + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private boolean answers(String url) {
        try {
            return http.send(
                                    HttpRequest.newBuilder(URI.create(url))
                                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                            .header("Content-Type", "application/json")
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 201;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void row(String figure, String value, String ceiling, String ratio, String target) {
        table.add(new String[] {figure, value, ceiling, ratio, target});
        System.out.printf("[bench] %s: %s %s %s%n", figure, value, ceiling, ratio);
    }

    private void print() {
        System.out.println();
        System.out.println("| figure | measured | ceiling in the same run | ratio | target |");
        System.out.println("|---|---|---|---|---|");
        for (String[] r : table) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
    }

    private void write() throws IOException {
        // a tree with changes is measured as "<commit>+changes", so a result never claims code it did not run
        String commit = git("rev-parse", "--short", "HEAD")
                + (git("status", "--porcelain", "--untracked-files=no").isEmpty() ? "" : "+changes");
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("commit", commit);
        results.put("date", Instant.now().toString());
        results.put(
                "machine",
                Map.of(
                        "cores", Runtime.getRuntime().availableProcessors(),
                        "java", System.getProperty("java.version"),
                        "os", System.getProperty("os.name") + " " + System.getProperty("os.arch")));
        results.put("seconds", seconds.toSeconds());
        results.put("warmup", warmup.toSeconds());
        List<Map<String, String>> rows = new ArrayList<>();
        for (String[] r : table) {
            rows.add(Map.of("figure", r[0], "measured", r[1], "ceiling", r[2], "ratio", r[3], "target", r[4]));
        }
        results.put("table", rows);
        results.put("figures", figures);
        Path dir = Path.of("bench", "results");
        Files.createDirectories(dir);
        Path file = dir.resolve(Instant.now().toString().substring(0, 10) + "-" + commit + ".json");
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        System.out.println("[bench] results written to " + file);
    }

    private static String git(String... args) {
        try {
            List<String> command = new ArrayList<>(List.of("git"));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String fmt(double value) {
        return value >= 100 ? String.format("%,.0f", value) : String.format("%.1f", value);
    }

    private static String fmt(double value, String unit) {
        return fmt(value) + " " + unit;
    }

    private static String ratio(double value, double ceiling) {
        return ceiling <= 0 ? "" : String.format("%.2f", value / ceiling);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
