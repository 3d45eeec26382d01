package io.amebo.standalone.checker;

import io.amebo.contract.KafkaNames;
import io.amebo.dispatcher.core.RetryTiers;
import io.amebo.standalone.checker.Checks.Delivery;
import io.amebo.standalone.checker.Checks.Observations;
import io.amebo.standalone.checker.Checks.Position;
import io.amebo.standalone.checker.Checks.Report;
import io.amebo.standalone.checker.Cluster.Dispatcher;
import io.amebo.standalone.checker.Handlers.Handler;
import io.amebo.standalone.checker.History.Subscription;
import io.amebo.testkit.SharedKafka;
import io.amebo.testkit.SharedPostgres;
import io.amebo.testkit.WebhookReceiver.Received;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.JsonNode;

/**
 * One run of the guarantee checker with one seed (DESIGN §6.10): starts the system, registers applications, actions
 * and a random mix of subscriptions, publishes through the gateway while injecting faults from a plan drawn from
 * the seed, then heals everything, waits for the system to go quiet, and checks what it did.
 *
 * <pre>
 *   setup ─▶ workload + faults (W) ─▶ heal ─▶ quiesce (until the progress checks pass, or Q) ─▶ check ─▶ report
 * </pre>
 *
 * Everything random comes from the seed: the subscriptions, the publishes, the fault plan, and each handler's
 * answer to each request. The timing of the threads does not, so a seed replays the same plan, not the same
 * interleaving.
 */
final class CheckerRun {

    /** How long the run's phases may take, and how hard it publishes. */
    record Settings(Duration workload, Duration quiesce, double eventsPerSecond) {}

    private static final String PUBLISHER = "shop";
    private static final String PUBLISHER_SECRET = "shop-secret-0123456789";
    private static final List<String> SUBSCRIBERS = List.of("svc-a", "svc-b");
    private static final Map<String, Integer> ACTIONS = Map.of("orders", 4, "payments", 3, "users", 3);
    private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4", "k5");
    private static final int SLOTS = 7;
    private static final Duration STILL = Duration.ofSeconds(25);

    private final long seed;
    private final Settings settings;
    private final Path logs;
    private final SplittableRandom random;
    private final History history = new History();
    private final AmeboApi api = new AmeboApi();
    private final Map<String, AtomicInteger> faultCounts = new ConcurrentSkipListMap<>();
    private final Map<Integer, Subscription> current = new ConcurrentHashMap<>();
    private final AtomicInteger publishFailures = new AtomicInteger();
    private final Map<String, Long> times = new LinkedHashMap<>();
    private final Stalls stalls = new Stalls();
    private Handlers handlers;
    private Cluster cluster;
    private KafkaObserver kafka;
    private GistTap tap;
    private String prefix;
    private String gateway;

    CheckerRun(long seed, Settings settings, Path logs) {
        this.seed = seed;
        this.settings = settings;
        this.logs = logs;
        this.random = new SplittableRandom(seed);
    }

    /** Runs the whole thing and returns the checks' report (printed as it goes). */
    Report run() {
        long started = System.nanoTime();
        prefix = "chk-" + Long.toHexString(seed & 0xFFFFFFL) + "-" + SharedKafka.uniqueName("r");
        handlers = new Handlers(seed);
        kafka = new KafkaObserver(SharedKafka.get());
        SharedPostgres.Database database = SharedPostgres.get().newDatabase(SharedKafka.uniqueName("checker"));
        cluster = new Cluster(prefix, SharedKafka.get(), database, logs);
        try {
            setUp();
            times.put("setup", elapsedSeconds(started));
            long workload = System.nanoTime();
            Faults faults = new Faults();
            history.begin(System.currentTimeMillis());
            tap = new GistTap(database, history.startedAtMs());
            say("workload starts at %s (times below are from here)", LocalTime.now());
            faults.plan();
            GoneMonitor gone = new GoneMonitor();
            gone.start();
            List<Thread> publishers = publish();
            LockSupport.parkNanos(settings.workload().toNanos());
            stopPublishing(publishers);
            faults.endAll();
            times.put("workload", elapsedSeconds(workload));
            long quiesce = System.nanoTime();
            heal();
            Report report = quiesce();
            gone.stop();
            times.put("quiesce", elapsedSeconds(quiesce));
            print(report);
            if (!report.passed(Set.of(Checks.LAG))) {
                diagnoseLag();
            }
            return report;
        } finally {
            long teardown = System.nanoTime();
            cluster.close();
            handlers.close();
            kafka.close();
            stalls.close();
            if (tap != null) {
                tap.close();
            }
            say("teardown took %d s", elapsedSeconds(teardown));
        }
    }

    // ---- setup

    private void setUp() {
        for (int slot = 0; slot < SLOTS; slot++) {
            Handlers.Profile profile = Handlers.Profile.values()[random.nextInt(Handlers.Profile.values().length)];
            handlers.add(slot, profile, random.nextDouble() < 0.5);
        }
        long step = System.nanoTime();
        Dispatcher killable = cluster.addDispatcher("dispatcher-k", true);
        killable.start(); // a JVM of its own takes longest: it starts while the rest does
        history.restart(System.currentTimeMillis()); // it joins its groups some seconds later
        cluster.startServices();
        gateway = cluster.servicesUrl();
        say("registry and gateway started in %d ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - step));
        for (int i = 1; i <= 2; i++) {
            step = System.nanoTime();
            cluster.addDispatcher("dispatcher-" + i, false).start();
            history.restart(System.currentTimeMillis());
            say("dispatcher-%d started in %d ms", i, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - step));
        }
        step = System.nanoTime();
        register();
        say("registered in %d ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - step));
        say(
                "prefix %s; %d subscriptions: %s",
                prefix,
                current.size(),
                current.values().stream()
                        .map(s -> s.name + "(" + s.action + (s.ordered ? ", ordered" : "")
                                + (s.rateLimit != null ? ", " + s.rateLimit + "/s" : "") + ", max " + s.maxRetries
                                + ", " + handlers.all().get(s.slot).profile + ")")
                        .toList());
    }

    private void register() {
        String registry = cluster.servicesUrl();
        api.expectOk(
                "POST",
                registry + "/v1/applications",
                AmeboApi.ADMIN,
                AmeboApi.json(Map.of(
                        "application", PUBLISHER, "address", "https://shop.example.com", "secret", PUBLISHER_SECRET)));
        for (String subscriber : SUBSCRIBERS) {
            api.expectOk(
                    "POST",
                    registry + "/v1/applications",
                    AmeboApi.ADMIN,
                    AmeboApi.json(Map.of(
                            "application",
                            subscriber,
                            "address",
                            "http://127.0.0.1:9",
                            "secret",
                            subscriber + "-secret-0123456789")));
        }
        for (Map.Entry<String, Integer> action : new TreeMap<>(ACTIONS).entrySet()) {
            api.expectOk(
                    "POST",
                    registry + "/v1/actions",
                    AmeboApi.ADMIN,
                    AmeboApi.json(Map.of(
                            "action", action.getKey(),
                            "application", PUBLISHER,
                            "partitions", action.getValue(),
                            "schemata", Map.of("type", "object"))));
        }
        List<String> actions = new ArrayList<>(new TreeMap<>(ACTIONS).keySet());
        for (int slot = 0; slot < SLOTS; slot++) {
            boolean ordered = slot == 0 || slot != 1 && random.nextDouble() < 0.4;
            Integer rateLimit = random.nextDouble() < 0.3 ? 20 + random.nextInt(40) : null;
            subscribe(slot, 1, actions.get(slot % actions.size()), ordered, 3 + random.nextInt(4), rateLimit);
        }
    }

    /** Creates generation {@code generation} of a slot's subscription; its handler path is its own. */
    private Subscription subscribe(
            int slot, int generation, String action, boolean ordered, int maxRetries, Integer rateLimit) {
        String name = "sub-" + slot;
        String path = "/s" + slot + "/g" + generation;
        Subscription s = new Subscription(slot, generation, name, action, ordered, maxRetries, rateLimit, path);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("application", SUBSCRIBERS.get(slot % SUBSCRIBERS.size()));
        body.put("subscription", name);
        body.put("action", action);
        body.put("handler", handlers.all().get(slot).url(path));
        body.put("max_retries", maxRetries);
        body.put("ordered", ordered);
        if (rateLimit != null) {
            body.put("rate_limit", rateLimit);
        }
        JsonNode created =
                api.expectOk("POST", cluster.servicesUrl() + "/v1/subscriptions", AmeboApi.ADMIN, AmeboApi.json(body));
        s.identity = created.path("id").asString();
        s.createdAt = Instant.parse(created.path("timestamped").asString());
        history.created(s);
        current.put(slot, s);
        return s;
    }

    // ---- workload

    /** Two publishers, each at half the rate, until interrupted. */
    private List<Thread> publish() {
        List<Thread> publishers = new ArrayList<>();
        List<String> actions = new ArrayList<>(new TreeMap<>(ACTIONS).keySet());
        long intervalNanos = (long) (2e9 / settings.eventsPerSecond());
        for (int p = 0; p < 2; p++) {
            SplittableRandom own = random.split();
            int publisher = p;
            Thread thread = new Thread(
                    () -> {
                        long next = System.nanoTime();
                        for (int n = 0; !Thread.currentThread().isInterrupted(); n++) {
                            publishOne(own, actions, publisher * 1_000_000 + n);
                            next += intervalNanos;
                            LockSupport.parkNanos(next - System.nanoTime());
                        }
                    },
                    "checker-publisher-" + p);
            thread.start();
            publishers.add(thread);
        }
        return publishers;
    }

    private void publishOne(SplittableRandom own, List<String> actions, int n) {
        String action = actions.get(own.nextInt(actions.size()));
        String key = own.nextDouble() < 0.1 ? null : KEYS.get(own.nextInt(KEYS.size()));
        Integer sleep = own.nextDouble() < 0.08 ? 2 + own.nextInt(4) : null;
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("n", n);
        payload.put("key", key);
        payload.put("note", "x".repeat(own.nextInt(120)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", action);
        body.put("payload", payload);
        if (key != null) {
            body.put("key", key);
        }
        if (sleep != null) {
            body.put("sleep_until", sleep);
        }
        long before = System.currentTimeMillis();
        AmeboApi.Answer answer = api.call(
                "POST", gateway + "/v1/events", AmeboApi.basic(PUBLISHER, PUBLISHER_SECRET), AmeboApi.json(body));
        if (!answer.ok()) {
            if (Thread.currentThread().isInterrupted()) {
                return; // the workload is over: not the gateway's failure
            }
            if (publishFailures.incrementAndGet() <= 3) {
                say("a publish of %s was answered %d: %s", action, answer.status(), answer.body());
            }
            return;
        }
        JsonNode ack = answer.json();
        history.published(new History.Event(
                ack.path("id").asString(),
                action,
                ack.path("partition").asInt(),
                ack.path("offset").asLong(),
                key,
                Instant.parse(ack.path("timestamped").asString()).toEpochMilli(),
                sleep == null ? null : Instant.ofEpochMilli(before).plusSeconds(sleep)));
    }

    private static void stopPublishing(List<Thread> publishers) {
        publishers.forEach(Thread::interrupt);
        for (Thread publisher : publishers) {
            try {
                publisher.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- faults

    /**
     * The fault plan, drawn from the seed before the workload starts, and its execution: each fault is begun at its
     * time and undone after its duration, on an executor of its target's own (so a slow restart of one dispatcher
     * delays nothing else), and every fault still under way when the workload ends is undone then.
     */
    private final class Faults {
        private final ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "checker-faults"));
        private final Map<String, ExecutorService> targets = new HashMap<>();
        private final List<Planned> planned = new ArrayList<>();
        private final List<String> plan = new ArrayList<>();

        /** One fault: begun at {@code atMs} (from the workload's start), undone {@code forMs} later. */
        private final class Planned {
            final String kind;
            final String target;
            final long atMs;
            final long forMs;
            final Runnable begin;
            final Runnable end;
            private int state; // 0 planned, 1 begun, 2 over; guarded by this
            private long startedAtMs;

            Planned(String kind, String target, long atMs, long forMs, Runnable begin, Runnable end) {
                this.kind = kind;
                this.target = target;
                this.atMs = atMs;
                this.forMs = forMs;
                this.begin = begin;
                this.end = end;
            }

            void begin() {
                synchronized (this) {
                    if (state != 0) {
                        return;
                    }
                    state = 1;
                    startedAtMs = System.currentTimeMillis();
                }
                faultCounts.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                guarded(begin);
                // undone forMs after it began, however long beginning took (a graceful stop takes seconds)
                long left = Math.max(0, startedAtMs + forMs - System.currentTimeMillis());
                try {
                    timer.schedule(() -> executor(target).execute(this::end), left, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // the workload is over: endAll() undoes it
                }
            }

            void end() {
                synchronized (this) {
                    if (state != 1) {
                        return;
                    }
                    state = 2;
                }
                guarded(end);
                history.fault(new History.Fault(kind, target, startedAtMs, System.currentTimeMillis()));
            }

            /** Drops the fault if it has not begun; true if it had (and must be undone). */
            synchronized boolean drop() {
                if (state == 0) {
                    state = 2;
                    return false;
                }
                return true;
            }
        }

        void plan() {
            long w = settings.workload().toMillis();
            List<Dispatcher> dispatchers = cluster.dispatchers();
            for (Dispatcher d : dispatchers) {
                boolean killed = d instanceof Cluster.ProcessDispatcher;
                long at = killed ? between(3_000, 7_000) : between(2_000, 6_000);
                while (at < w - (killed ? 10_000 : 6_000)) {
                    long down = killed ? between(500, 3_000) : between(1_500, 5_000);
                    add(
                            killed ? "kill" : "stop",
                            d.name,
                            at,
                            down,
                            () -> {
                                d.stop();
                                history.restart(System.currentTimeMillis());
                            },
                            () -> {
                                d.start();
                                history.restart(System.currentTimeMillis());
                            });
                    at += down + (killed ? between(12_000, 16_000) : between(5_000, 9_000));
                }
            }
            long cut = between(3_000, 8_000);
            while (cut < w - 5_000) {
                long down = between(2_000, 6_000);
                add("database-cut", "database", cut, down, this::cutDatabase, this::restoreDatabase);
                cut += down + between(3_000, 8_000);
            }
            List<Integer> slots = new ArrayList<>();
            for (int slot = 0; slot < SLOTS; slot++) {
                slots.add(slot);
            }
            shuffle(slots);
            for (int i = 0; i < 2; i++) {
                int slot = slots.get(i);
                add(
                        "pause",
                        "sub-" + slot,
                        between(3_000, w - 8_000),
                        between(1_500, 4_000),
                        () -> status(slot, "paused"),
                        () -> status(slot, "active"));
            }
            for (int i = 2; i < 4; i++) {
                int slot = slots.get(i);
                long gap = between(0, 1_500);
                add(
                        "re-create",
                        "sub-" + slot,
                        between(4_000, w - 6_000),
                        gap,
                        () -> delete(slot),
                        () -> recreate(slot));
            }
            for (Handler handler : handlers.all()) {
                if (random.nextDouble() < 0.5) {
                    Handlers.OutageKind kind =
                            Handlers.OutageKind.values()[random.nextInt(Handlers.OutageKind.values().length)];
                    long length = between(2_000, 5_000);
                    add(
                            "handler-outage",
                            "handler-" + handler.slot,
                            between(2_000, w - 7_000),
                            length,
                            () -> handler.outage(kind, Duration.ofMillis(length)),
                            () -> {});
                }
            }
            planned.sort((a, b) -> Long.compare(a.atMs, b.atMs));
            planned.forEach(p -> {
                plan.add(String.format("%5.1fs %s %s for %.1fs", p.atMs / 1000.0, p.kind, p.target, p.forMs / 1000.0));
                timer.schedule(() -> executor(p.target).execute(p::begin), p.atMs, TimeUnit.MILLISECONDS);
            });
            say("fault plan:%n        %s", String.join("\n        ", plan));
        }

        private void add(String kind, String target, long atMs, long forMs, Runnable begin, Runnable end) {
            planned.add(new Planned(kind, target, atMs, forMs, begin, end));
        }

        /** Undoes whatever is under way and drops what has not begun; waits for every target to be done. */
        void endAll() {
            timer.shutdownNow();
            for (Planned p : planned) {
                if (p.drop()) {
                    executor(p.target).execute(p::end);
                }
            }
            targets.values().forEach(ExecutorService::shutdown);
            for (ExecutorService executor : targets.values()) {
                try {
                    if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                        say("a fault target is still busy after 60 s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private synchronized ExecutorService executor(String target) {
            return targets.computeIfAbsent(
                    target, t -> Executors.newSingleThreadExecutor(r -> daemon(r, "checker-fault-" + t)));
        }

        private void cutDatabase() {
            cluster.dispatchers().forEach(d -> d.database.cut());
        }

        private void restoreDatabase() {
            cluster.dispatchers().forEach(d -> d.database.restore());
        }

        private void delete(int slot) {
            Subscription s = current.get(slot);
            api.expectOk("DELETE", cluster.servicesUrl() + "/v1/subscriptions/" + s.name, AmeboApi.ADMIN, null);
            s.deletedAtMs = System.currentTimeMillis();
        }

        private void recreate(int slot) {
            Subscription old = current.get(slot);
            subscribe(slot, old.generation + 1, old.action, old.ordered, old.maxRetries, old.rateLimit);
        }

        private long between(long from, long to) {
            return to <= from ? from : from + random.nextLong(to - from);
        }

        private void shuffle(List<Integer> list) {
            for (int i = list.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Integer swap = list.get(i);
                list.set(i, list.get(j));
                list.set(j, swap);
            }
        }
    }

    private void status(int slot, String status) {
        Subscription s = current.get(slot);
        api.expectOk(
                "PATCH",
                cluster.servicesUrl() + "/v1/subscriptions/" + s.name,
                AmeboApi.ADMIN,
                AmeboApi.json(Map.of("status", status)));
        history.restart(System.currentTimeMillis());
    }

    /**
     * Plays the operator after a handler answered 410 Gone (and the dispatcher paused its subscription): resumes the
     * subscription a moment later, as its owner would once the handler is back.
     */
    private final class GoneMonitor {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Set<String> seen = ConcurrentHashMap.newKeySet();
        private Thread thread;

        void start() {
            thread = new Thread(this::watch, "checker-gone-monitor");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running.set(false);
            thread.interrupt();
        }

        private void watch() {
            while (running.get()) {
                AmeboApi.Answer answer = api.call(
                        "GET",
                        cluster.servicesUrl() + "/v1/subscriptions?status=paused&pagination=100",
                        AmeboApi.ADMIN,
                        null);
                if (answer.ok()) {
                    for (JsonNode s : answer.json()) {
                        String reason = s.path("paused_reason").asString("");
                        String key = s.path("id").asString();
                        if (reason.contains("410") && seen.add(key)) {
                            resumeLater(s.path("subscription").asString());
                        }
                    }
                }
                LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
            }
        }

        private void resumeLater(String name) {
            long pausedAt = System.currentTimeMillis();
            history.restart(pausedAt);
            faultCounts.computeIfAbsent("gone-pause", k -> new AtomicInteger()).incrementAndGet();
            LockSupport.parkNanos(Duration.ofMillis(1_000).toNanos());
            guarded(() -> {
                api.expectOk(
                        "PATCH",
                        cluster.servicesUrl() + "/v1/subscriptions/" + name,
                        AmeboApi.ADMIN,
                        AmeboApi.json(Map.of("status", "active")));
                history.restart(System.currentTimeMillis());
                history.fault(new History.Fault("gone-pause", name, pausedAt, System.currentTimeMillis()));
            });
        }
    }

    // ---- heal, quiesce, check

    /** Every handler answers 2xx from now on, the database is back, every dispatcher runs, nothing is paused. */
    private void heal() {
        handlers.heal();
        for (Dispatcher d : cluster.dispatchers()) {
            d.database.restore();
            d.start();
        }
        for (Subscription s : history.live()) {
            AmeboApi.Answer answer =
                    api.call("GET", cluster.servicesUrl() + "/v1/subscriptions/" + s.name, AmeboApi.ADMIN, null);
            if (answer.ok() && answer.json().path("status").asString().equals("paused")) {
                status(s.slot, "active");
            }
        }
        long now = System.currentTimeMillis();
        history.restart(now);
    }

    /**
     * Waits until what can still come true has (every event delivered or dead, gists final, no lag), or gives up:
     * at the deadline, or once nothing has moved for {@link #STILL} (no request to any handler, the same things
     * open), which is far longer than any wait left after healing (retries, {@code Retry-After}, the breaker).
     */
    private Report quiesce() {
        long deadline = System.nanoTime() + settings.quiesce().toNanos();
        long nextProgress = System.nanoTime();
        String lastState = "";
        long stillSince = System.nanoTime();
        while (true) {
            Observations seen = observe();
            Report report = Checks.check(history, seen);
            if (report.passed(Checks.PROGRESS)) {
                LockSupport.parkNanos(Duration.ofSeconds(2).toNanos()); // anything still on its way shows now
                return Checks.check(history, observe());
            }
            String state = seen.deliveries().size() + " " + open(report);
            if (!state.equals(lastState)) {
                lastState = state;
                stillSince = System.nanoTime();
            }
            if (System.nanoTime() > deadline || System.nanoTime() - stillSince > STILL.toNanos()) {
                say(
                        "the system did not go quiet: %s",
                        System.nanoTime() > deadline
                                ? "not within " + settings.quiesce()
                                : "nothing moved for " + STILL);
                return report;
            }
            if (System.nanoTime() > nextProgress) {
                nextProgress = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                Map<String, Integer> open = new TreeMap<>();
                Checks.PROGRESS.forEach(
                        c -> open.put(c, report.violations().get(c).size()));
                say("quiescing; still open: %s", open);
            }
            LockSupport.parkNanos(Duration.ofMillis(1_500).toNanos());
        }
    }

    private static String open(Report report) {
        StringBuilder open = new StringBuilder();
        Checks.PROGRESS.forEach(c -> open.append(report.violations().get(c)));
        return open.toString();
    }

    /** Everything the checks look at, read now. */
    private Observations observe() {
        List<Delivery> deliveries = new ArrayList<>();
        List<String> strays = new ArrayList<>();
        for (Handler handler : handlers.all()) {
            for (Received r : handler.requests()) {
                Handlers.Verdict verdict = handler.verdict(r);
                if (verdict == null) {
                    continue; // being answered right now
                }
                Subscription to = history.byPath(r.path()).orElse(null);
                if (to == null) {
                    strays.add(r.method() + " " + r.path() + " " + r.header("webhook-id"));
                    continue;
                }
                deliveries.add(new Delivery(
                        to,
                        r.header("webhook-id"),
                        parse(r.header("X-Amebo-Attempt")),
                        r.header("X-Amebo-Delivery"),
                        r.sequence(),
                        r.receivedAt().toEpochMilli(),
                        verdict));
            }
        }
        KafkaNames names = new KafkaNames(prefix);
        Map<Subscription, List<Checks.Gist>> gists = new HashMap<>();
        Map<Subscription, List<Position>> positions = new HashMap<>();
        String dispatcher = cluster.dispatcherUrl();
        for (Subscription s : history.live()) {
            gists.put(s, api.gists(dispatcher, s.name, null));
            positions.put(s, kafka.positions(names.liveGroup(s.name), List.of(names.eventTopic(s.action))));
        }
        List<Position> retries = kafka.positions(
                names.prefix() + ".retry",
                RetryTiers.TIERS.stream().map(names::retryTopic).toList());
        return new Observations(
                deliveries,
                strays,
                kafka.deadLetters(names.deadLetterTopic()),
                gists,
                positions,
                retries,
                tap::versions);
    }

    /**
     * Where delivery stopped moving: who holds each group's partitions (consumers carry their dispatcher's name as
     * client id), and what the workers of this JVM's dispatchers are doing.
     */
    private void diagnoseLag() {
        KafkaNames names = new KafkaNames(prefix);
        StringBuilder out = new StringBuilder("consumer groups:");
        for (Subscription s : history.live()) {
            out.append("\n        ").append(s).append(": ").append(guardedMembers(names.liveGroup(s.name)));
        }
        out.append("\n        retries: ").append(guardedMembers(names.prefix() + ".retry"));
        for (Dispatcher d : cluster.dispatchers()) {
            String url = d.url();
            AmeboApi.Answer metrics = url == null ? null : api.metrics(url);
            out.append("\n        ").append(d).append("'s breakers that are not closed: ");
            out.append(
                    metrics == null || !metrics.ok()
                            ? "(no metrics)"
                            : metrics.body()
                                    .lines()
                                    .filter(line ->
                                            line.startsWith("amebo_subscription_breaker{") && !line.endsWith(" 0.0"))
                                    .toList());
        }
        for (Dispatcher d : cluster.dispatchers()) {
            if (d instanceof Cluster.ProcessDispatcher process) {
                out.append("\n        ").append(d).append("'s workers:");
                for (String thread : process.threadDump().split("\n\n")) {
                    if (thread.startsWith("\"amebo-sub-") || thread.startsWith("\"amebo-retries")) {
                        thread.lines()
                                .limit(14)
                                .forEach(line -> out.append("\n            ").append(line));
                    }
                }
            }
        }
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("amebo-sub-") || thread.getName().equals("amebo-retries")) {
                out.append("\n        thread ")
                        .append(thread.getName())
                        .append(" (")
                        .append(thread.getState())
                        .append(")");
                for (int i = 0; i < Math.min(stack.length, 12); i++) {
                    out.append("\n            at ").append(stack[i]);
                }
            }
        });
        say("%s", out);
    }

    private String guardedMembers(String group) {
        try {
            return kafka.members(group);
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    private void print(Report report) {
        StringBuilder faults = new StringBuilder();
        faultCounts.forEach(
                (kind, n) -> faults.append(kind).append('×').append(n.get()).append(' '));
        say(
                "seed %d: %s%n        events acknowledged %d (publishes refused or failed: %d)%n        %s%n"
                        + "        faults: %s%n        as injected: %s%n        times (s): %s%n"
                        + "        JVM stalls over 300 ms: %s%n        %s%n%s",
                seed,
                report.passed() ? "PASSED" : "FAILED",
                history.events().size(),
                publishFailures.get(),
                report.numbers(),
                faults.toString().trim(),
                history.faults().stream()
                        .sorted(Comparator.comparingLong(History.Fault::startMs))
                        .map(f -> String.format(
                                "%s %s %.1f-%.1fs",
                                f.kind(),
                                f.target(),
                                (f.startMs() - history.startedAtMs()) / 1000.0,
                                (f.endMs() - history.startedAtMs()) / 1000.0))
                        .toList(),
                times,
                stalls.stalls().stream()
                        .map(x -> x.millis() + " ms at +" + (x.atMs() - history.startedAtMs()))
                        .toList(),
                String.join("\n        ", report.subscriptions()),
                report.describe(15));
    }

    // ---- small things

    private void guarded(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            say("a fault action failed: %s", e);
        }
    }

    private void say(String format, Object... args) {
        System.out.printf("[checker %d] %s%n", seed, String.format(format, args));
        System.out.flush();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread thread = new Thread(r, name);
        thread.setDaemon(true);
        return thread;
    }

    private static long elapsedSeconds(long sinceNanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sinceNanos);
    }

    private static int parse(String number) {
        try {
            return number == null ? -1 : Integer.parseInt(number);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
