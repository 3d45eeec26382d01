package io.amebo.standalone.checker;

import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Received;
import io.amebo.testkit.WebhookReceiver.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The subscriptions' webhook handlers: one {@link WebhookReceiver} per subscription name, whose answer to each
 * request is scripted from the seed and the request itself (which subscription, event, attempt, and how many times
 * that attempt came before), so a seed gives the same behaviour to the same requests whatever the timing. Each
 * answer is kept beside the request, so the checks know what the handler made of every delivery.
 *
 * <p>Until {@link #heal} a handler fails a share of requests in every way a real one does (5xx, redirects, answers
 * later than the dispatcher waits, 429 and 503 with {@code Retry-After}, dropped connections, rarely 410), fails
 * "poison" events every time, and goes through the outages the fault plan starts; after it, every request gets a
 * 2xx in time.
 */
final class Handlers implements AutoCloseable {

    /**
     * The dispatchers' request timeout. Far above the time an in-time answer takes: on a 2-core machine running three
     * dispatchers, the services, the broker and PostgreSQL, a dispatcher's JVM (the killable one most of all) can
     * stall for seconds, and would count as handler failures answers it received too late to read (seed
     * 489080692558357270 saw a 200 ms answer read after 3 s).
     */
    static final long REQUEST_TIMEOUT_MS = 5_000;

    /** An answer later than this still counts as in time: far below the dispatcher's request timeout. */
    static final long IN_TIME_MS = 250;

    /** Answers meant to come after the dispatcher gave up waiting. */
    static final long TOO_LATE_MS = REQUEST_TIMEOUT_MS + 1_500;

    private static final int MAX_GONE_PER_HANDLER = 2;

    private static final String[] LARGE_BODIES = {largeBody(64 * 1024), largeBody(300 * 1024)};

    /** What a handler answered to one request. */
    enum Kind {
        OK,
        SLOW_OK,
        LARGE_OK,
        SERVER_ERROR,
        REDIRECT,
        TOO_LATE,
        THROTTLED,
        UNAVAILABLE,
        DROPPED,
        GONE,
        POISONED,
        OUTAGE
    }

    /** One answer; a success is a 2xx the dispatcher got in time. */
    record Verdict(Kind kind, int status, long delayMs) {

        boolean success() {
            return status >= 200 && status < 300 && delayMs <= IN_TIME_MS;
        }

        /** A failed attempt in the dispatcher's eyes (a 410 is not one: it pauses the subscription). */
        boolean failure() {
            return !success() && kind != Kind.GONE;
        }
    }

    /** How a handler fails while it is not healed. */
    enum Profile {
        HEALTHY(0.04),
        SHAKY(0.12),
        FLAKY(0.30);

        final double failureRate;

        Profile(double failureRate) {
            this.failureRate = failureRate;
        }
    }

    /** How a handler fails during an outage. */
    enum OutageKind {
        UNAVAILABLE,
        SERVER_ERROR,
        DROPPED,
        TOO_LATE
    }

    private final long seed;
    private final List<Handler> handlers = new ArrayList<>();
    private volatile boolean healed;

    Handlers(long seed) {
        this.seed = seed;
    }

    /** A new handler for subscription slot {@code slot}. */
    Handler add(int slot, Profile profile, boolean mayAnswerGone) {
        Handler handler = new Handler(slot, profile, mayAnswerGone);
        handlers.add(handler);
        return handler;
    }

    List<Handler> all() {
        return List.copyOf(handlers);
    }

    /** From now on every handler answers every request with a 2xx in time. */
    void heal() {
        healed = true;
    }

    @Override
    public void close() {
        // each receiver waits out its event loops' quiet period: all at once rather than one after the other
        List<Thread> closing = new ArrayList<>();
        for (Handler handler : handlers) {
            Thread thread = new Thread(handler.receiver::close, "checker-close-handler-" + handler.slot);
            thread.start();
            closing.add(thread);
        }
        for (Thread thread : closing) {
            try {
                thread.join(Duration.ofSeconds(15).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The handler of one subscription slot (every subscription created under that slot's name). */
    final class Handler {

        final int slot;
        final Profile profile;
        final boolean mayAnswerGone;
        final WebhookReceiver receiver = WebhookReceiver.start();
        private final Map<Long, Verdict> verdicts = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> occurrences = new ConcurrentHashMap<>();
        private final AtomicInteger gone = new AtomicInteger();
        private volatile OutageKind outage;
        private volatile long outageUntilMs;

        private Handler(int slot, Profile profile, boolean mayAnswerGone) {
            this.slot = slot;
            this.profile = profile;
            this.mayAnswerGone = mayAnswerGone;
            receiver.respondByDefault(this::answer);
        }

        /** The URL of a path on this handler. */
        String url(String path) {
            return receiver.url(path);
        }

        /** Every request is answered as {@code kind} for {@code duration}. */
        void outage(OutageKind kind, Duration duration) {
            outage = kind;
            outageUntilMs = System.currentTimeMillis() + duration.toMillis();
        }

        /** What was answered to the request with this sequence number. */
        Verdict verdict(Received request) {
            return verdicts.get(request.sequence());
        }

        List<Received> requests() {
            return receiver.requests();
        }

        int goneAnswers() {
            return gone.get();
        }

        private Reply answer(Received request) {
            Verdict verdict = decide(request);
            verdicts.put(request.sequence(), verdict);
            return reply(verdict);
        }

        private Verdict decide(Received request) {
            String event = String.valueOf(request.header("webhook-id"));
            String attempt = String.valueOf(request.header("X-Amebo-Attempt"));
            int occurrence = occurrences
                    .computeIfAbsent(request.path() + " " + event + " " + attempt, k -> new AtomicInteger())
                    .getAndIncrement();
            SplittableRandom random = new SplittableRandom(
                    mix(seed, slot, request.path().hashCode(), event.hashCode(), attempt.hashCode(), occurrence));
            if (healed) {
                return success(random);
            }
            if (System.currentTimeMillis() < outageUntilMs) {
                return outage(outage);
            }
            if (poisoned(request.path(), event)) {
                return new Verdict(Kind.POISONED, 500, 0);
            }
            if (mayAnswerGone
                    && "1".equals(attempt)
                    && occurrence == 0
                    && random.nextDouble() < 0.004
                    && gone.incrementAndGet() <= MAX_GONE_PER_HANDLER) {
                return new Verdict(Kind.GONE, 410, 0);
            }
            return random.nextDouble() < profile.failureRate ? failure(random) : success(random);
        }

        /** About 2 % of events fail at this handler every time until it is healed: they go dead. */
        private boolean poisoned(String path, String event) {
            return Math.floorMod(mix(seed, slot, path.hashCode(), event.hashCode(), 0x9015, 0), 1000) < 20;
        }

        private Verdict success(SplittableRandom random) {
            int status = new int[] {200, 200, 201, 202, 204}[random.nextInt(5)];
            double shape = random.nextDouble();
            if (shape < 0.15 && status != 204) {
                return new Verdict(Kind.LARGE_OK, status, 0);
            }
            if (shape < 0.40) {
                return new Verdict(Kind.SLOW_OK, status, 30 + random.nextInt((int) IN_TIME_MS - 80));
            }
            return new Verdict(Kind.OK, status, 0);
        }

        private Verdict failure(SplittableRandom random) {
            double kind = random.nextDouble();
            if (kind < 0.30) {
                return new Verdict(Kind.SERVER_ERROR, new int[] {500, 502, 504}[random.nextInt(3)], 0);
            }
            if (kind < 0.35) {
                return new Verdict(Kind.REDIRECT, 302, 0);
            }
            if (kind < 0.50) {
                return new Verdict(Kind.TOO_LATE, random.nextBoolean() ? 200 : 503, TOO_LATE_MS);
            }
            if (kind < 0.65) {
                return new Verdict(Kind.THROTTLED, 429, 0);
            }
            if (kind < 0.85) {
                return new Verdict(Kind.UNAVAILABLE, 503, 0);
            }
            return new Verdict(Kind.DROPPED, 0, 0);
        }

        private Verdict outage(OutageKind kind) {
            return switch (kind) {
                case UNAVAILABLE -> new Verdict(Kind.OUTAGE, 503, 0);
                case SERVER_ERROR -> new Verdict(Kind.OUTAGE, 500, 0);
                case DROPPED -> new Verdict(Kind.OUTAGE, 0, 0);
                case TOO_LATE -> new Verdict(Kind.OUTAGE, 200, TOO_LATE_MS);
            };
        }

        private Reply reply(Verdict verdict) {
            if (verdict.status() == 0) {
                return Reply.dropConnection();
            }
            Reply reply = Reply.status(verdict.status()).after(Duration.ofMillis(verdict.delayMs()));
            switch (verdict.kind()) {
                case LARGE_OK -> reply = reply.withBody(LARGE_BODIES[(int) (verdict.hashCode() & 1)]);
                case THROTTLED -> reply = reply.withHeader("Retry-After", "1");
                case UNAVAILABLE -> reply = reply.withHeader("Retry-After", verdict.hashCode() % 2 == 0 ? "1" : "2");
                case REDIRECT -> reply = reply.withHeader("Location", receiver.url("/elsewhere"));
                case GONE -> reply = reply.withBody("{\"error\":\"this handler is gone\"}");
                default -> {
                    // as it is
                }
            }
            if (verdict.status() == 204) {
                reply = reply.withBody("");
            }
            return reply;
        }
    }

    /** A well-spread hash of several numbers (SplitMix64 steps). */
    static long mix(long seed, long... values) {
        long h = seed;
        for (long value : values) {
            h += 0x9E3779B97F4A7C15L ^ value;
            h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
            h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
            h ^= h >>> 31;
        }
        return h;
    }

    private static String largeBody(int bytes) {
        StringBuilder body = new StringBuilder(bytes + 32).append("{\"padding\":\"");
        while (body.length() < bytes) {
            body.append("0123456789abcdef");
        }
        return body.append("\"}").toString();
    }
}
