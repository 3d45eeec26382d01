package io.amebo.standalone.checker;

import io.amebo.standalone.checker.Handlers.Verdict;
import io.amebo.standalone.checker.History.Event;
import io.amebo.standalone.checker.History.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The guarantees of DESIGN §5 and §6.10 as checks over a finished run (in the manner of Jepsen's and decaton's
 * checkers): given what the checker did ({@link History}) and what it then observed (every request each handler
 * got with the answer it gave, the dead letters, the delivery log, the consumer groups' offsets), each check names
 * the guarantee and lists every violation. Pure: no I/O, so it is tested on made-up histories.
 *
 * <p>A subscription is responsible for an event of its action appended at or after its creation time, unless it
 * was deleted (a deleted subscription's events need no delivery). A delivery succeeded when its handler answered a
 * 2xx in time; it failed when the handler answered anything else, too late, or dropped the connection.
 */
final class Checks {

    static final String DELIVERED_OR_DEAD = "every event delivered or dead";
    static final String DEAD_ONLY_AFTER_FAILURES = "dead only after the handler failed every attempt";
    static final String GISTS_FINAL = "every gist final and true to what the handler saw";
    static final String ORDER = "per-key order in ordered mode";
    static final String OWN_EVENTS = "a subscription gets its own events only";
    static final String DUPLICATES = "duplicates only around restarts, and few";
    static final String LAG = "consumer lag back at 0";

    /** Checks that can still come true while the system works through what is left (the others cannot). */
    static final Set<String> PROGRESS = Set.of(DELIVERED_OR_DEAD, GISTS_FINAL, LAG);

    /** How long after a restart redeliveries count as caused by it. */
    static final long RESTART_WINDOW_MS = 30_000;

    /** One request a handler got, attributed to the subscription whose path it was sent to. */
    record Delivery(
            Subscription to,
            String eventId,
            int attempt,
            String deliveryId,
            long sequence,
            long atMs,
            Verdict verdict) {}

    /** A record on the dead-letter topic. */
    record DeadLetter(
            String subscription,
            String subscriptionId,
            String eventId,
            int attempts,
            String lastStatus,
            String lastError) {}

    /** A row of the delivery log as {@code GET /v1/gists} shows it. */
    record Gist(String event, String status, int attempts, Integer lastStatus, String lastError, long updatedAtMs) {}

    /** A consumer group's committed offset on one partition (null when none) beside the partition's end. */
    record Position(String group, String topic, int partition, Long committed, long end, String metadata) {}

    /** Everything observed once the run is over. {@code strays} are requests no subscription's path explains. */
    record Observations(
            List<Delivery> deliveries,
            List<String> strays,
            List<DeadLetter> deadLetters,
            Map<Subscription, List<Gist>> gists,
            Map<Subscription, List<Position>> positions,
            List<Position> retryPositions,
            BiFunction<String, String, String> gistVersions) {}

    /** Violations per check, and the numbers of the run. */
    record Report(Map<String, List<String>> violations, Map<String, Long> numbers, List<String> subscriptions) {

        boolean passed() {
            return violations.values().stream().allMatch(List::isEmpty);
        }

        boolean passed(Set<String> checks) {
            return checks.stream()
                    .allMatch(c -> violations.getOrDefault(c, List.of()).isEmpty());
        }

        String describe(int perCheck) {
            StringBuilder out = new StringBuilder();
            violations.forEach((check, found) -> {
                out.append(
                        String.format("  %-52s %s%n", check, found.isEmpty() ? "ok" : found.size() + " VIOLATION(S)"));
                found.stream()
                        .limit(perCheck)
                        .forEach(v -> out.append("      - ").append(v).append('\n'));
                if (found.size() > perCheck) {
                    out.append("      … and ").append(found.size() - perCheck).append(" more\n");
                }
            });
            return out.toString();
        }
    }

    private final History history;
    private final Observations seen;
    private final Map<String, Event> events;
    private final Map<Subscription, Map<String, List<Delivery>>> deliveries = new HashMap<>();
    private final Map<String, Subscription> byIdentity = new HashMap<>();
    private final Map<String, List<DeadLetter>> deadLetters;
    private final Map<String, List<String>> violations = new LinkedHashMap<>();
    private final Map<String, Long> numbers = new LinkedHashMap<>();

    private Checks(History history, Observations seen) {
        this.history = history;
        this.seen = seen;
        this.events = history.events().stream().collect(Collectors.toMap(Event::id, Function.identity(), (a, b) -> a));
        for (Delivery d : seen.deliveries()) {
            deliveries
                    .computeIfAbsent(d.to(), s -> new HashMap<>())
                    .computeIfAbsent(d.eventId(), e -> new ArrayList<>())
                    .add(d);
        }
        deliveries.values().forEach(m -> m.values().forEach(l -> l.sort(Comparator.comparingLong(Delivery::sequence))));
        history.subscriptions().forEach(s -> byIdentity.put(s.identity, s));
        this.deadLetters =
                seen.deadLetters().stream().collect(Collectors.groupingBy(d -> d.subscriptionId() + "|" + d.eventId()));
        List.of(DELIVERED_OR_DEAD, DEAD_ONLY_AFTER_FAILURES, GISTS_FINAL, ORDER, OWN_EVENTS, DUPLICATES, LAG)
                .forEach(c -> violations.put(c, new ArrayList<>()));
    }

    static Report check(History history, Observations seen) {
        Checks checks = new Checks(history, seen);
        checks.deliveredOrDead();
        checks.deadOnlyAfterFailures();
        checks.gistsFinal();
        checks.order();
        checks.ownEvents();
        checks.duplicates();
        checks.lag();
        return new Report(checks.violations, checks.numbers, checks.perSubscription());
    }

    /** The id the dispatcher gives the delivery of an event to a subscription (the gist id, X-Amebo-Delivery). */
    static String deliveryId(String subscriptionIdentity, String eventId) {
        return UUID.nameUUIDFromBytes((subscriptionIdentity + "|" + eventId).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    private void deliveredOrDead() {
        long required = 0;
        long delivered = 0;
        long dead = 0;
        for (Subscription s : history.live()) {
            Map<String, Gist> gists = gistsOf(s);
            for (Event e : history.events()) {
                if (!s.covers(e)) {
                    continue;
                }
                required++;
                List<Delivery> tried = deliveries(s, e.id());
                if (tried.stream().anyMatch(d -> d.verdict().success())) {
                    delivered++;
                    continue;
                }
                Gist gist = gists.get(e.id());
                boolean letter = !deadLetters(s, e.id()).isEmpty();
                if (letter && gist != null && gist.status().equals("dead")) {
                    dead++;
                    continue;
                }
                violate(
                        DELIVERED_OR_DEAD,
                        "%s (created +%d): event %s (offset %d, %s, appended +%d) neither delivered nor dead: handler"
                                + " saw %s; dead letter %s; gist %s (its versions %s)%s",
                        s,
                        s.createdAt.toEpochMilli() - history.startedAtMs(),
                        e.id(),
                        e.offset(),
                        e.orderKey(),
                        e.appendedAtMs() - history.startedAtMs(),
                        summary(tried),
                        letter ? "yes" : "no",
                        gist == null ? "none" : gist.status() + " after " + gist.attempts() + " attempt(s)",
                        seen.gistVersions().apply(s.identity, e.id()),
                        others(s, e));
            }
        }
        numbers.put("events acknowledged", (long) history.events().size());
        numbers.put("deliveries owed (event × live subscription)", required);
        numbers.put("owed and delivered", delivered);
        numbers.put("owed and dead", dead);
    }

    private void deadOnlyAfterFailures() {
        for (DeadLetter letter : seen.deadLetters()) {
            Subscription s = byIdentity.get(letter.subscriptionId());
            if (s == null) {
                violate(DEAD_ONLY_AFTER_FAILURES, "a dead letter of an unknown subscription: %s", letter);
                continue;
            }
            if (letter.attempts() != s.maxRetries) {
                violate(
                        DEAD_ONLY_AFTER_FAILURES,
                        "%s: event %s dead after %d attempt(s), max_retries is %d",
                        s,
                        letter.eventId(),
                        letter.attempts(),
                        s.maxRetries);
            }
            List<Delivery> tried = deliveries(s, letter.eventId());
            for (int attempt = 1; attempt <= s.maxRetries; attempt++) {
                int a = attempt;
                if (tried.stream()
                        .noneMatch(d -> d.attempt() == a && d.verdict().failure())) {
                    Gist gist = gistsOf(s).get(letter.eventId());
                    violate(
                            DEAD_ONLY_AFTER_FAILURES,
                            "%s: event %s is dead (last status %s, %s; gist %s) but its handler never failed attempt"
                                    + " %d; it saw %s; the dispatcher's gists were %s",
                            s,
                            letter.eventId(),
                            letter.lastStatus(),
                            letter.lastError(),
                            gist == null
                                    ? "none"
                                    : gist.status() + " at +" + (gist.updatedAtMs() - history.startedAtMs()),
                            attempt,
                            summary(tried),
                            seen.gistVersions().apply(s.identity, letter.eventId()));
                    break;
                }
            }
        }
        numbers.put("dead letters", (long) seen.deadLetters().size());
    }

    private void gistsFinal() {
        long total = 0;
        long missing = 0;
        for (Subscription s : history.live()) {
            Map<String, Gist> gists = gistsOf(s);
            total += gists.size();
            for (Gist gist : gists.values()) {
                Event e = events.get(gist.event());
                switch (gist.status()) {
                    case "delivered" -> {
                        if (e != null
                                && deliveries(s, gist.event()).stream()
                                        .noneMatch(d -> d.verdict().success())) {
                            violate(
                                    GISTS_FINAL,
                                    "%s: gist of %s says delivered but the handler never answered it a 2xx in time: %s",
                                    s,
                                    gist.event(),
                                    summary(deliveries(s, gist.event())));
                        }
                    }
                    case "dead" -> {
                        if (deadLetters(s, gist.event()).isEmpty()) {
                            violate(GISTS_FINAL, "%s: gist of %s says dead but it has no dead letter", s, gist.event());
                        }
                        if (gist.attempts() != s.maxRetries) {
                            violate(
                                    GISTS_FINAL,
                                    "%s: gist of %s is dead after %d attempt(s), max_retries is %d",
                                    s,
                                    gist.event(),
                                    gist.attempts(),
                                    s.maxRetries);
                        }
                    }
                    default ->
                        violate(
                                GISTS_FINAL,
                                "%s: gist of %s ends %s after %d attempt(s) (last status %s, %s); the handler saw %s;"
                                        + " the gist's versions were %s",
                                s,
                                gist.event(),
                                gist.status(),
                                gist.attempts(),
                                gist.lastStatus(),
                                gist.lastError(),
                                summary(deliveries(s, gist.event())),
                                seen.gistVersions().apply(s.identity, gist.event()));
                }
            }
            for (Event e : history.events()) {
                if (s.covers(e)
                        && !gists.containsKey(e.id())
                        && deliveries(s, e.id()).stream()
                                .anyMatch(d -> d.verdict().success())) {
                    missing++;
                }
            }
        }
        numbers.put("gists of live subscriptions", total);
        numbers.put("delivered events without a gist", missing);
    }

    private void order() {
        for (Subscription s : history.live()) {
            if (!s.ordered) {
                continue;
            }
            Map<String, List<Event>> byKey = new TreeMap<>();
            history.events().stream()
                    .filter(s::covers)
                    .forEach(e -> byKey.computeIfAbsent(e.orderKey(), k -> new ArrayList<>())
                            .add(e));
            for (List<Event> sequence : byKey.values()) {
                sequence.sort(Comparator.comparingLong(Event::offset));
                for (int j = 1; j < sequence.size(); j++) {
                    Optional<Delivery> later = firstSuccess(s, sequence.get(j));
                    if (later.isEmpty()) {
                        continue;
                    }
                    for (int i = 0; i < j; i++) {
                        Event earlier = sequence.get(i);
                        long settled = settledAt(s, earlier);
                        if (settled > later.get().sequence()) {
                            violate(
                                    ORDER,
                                    "%s, key %s: offset %d was first delivered (request #%d) before offset %d was"
                                            + " delivered or dead (%s)",
                                    s,
                                    earlier.orderKey(),
                                    sequence.get(j).offset(),
                                    later.get().sequence(),
                                    earlier.offset(),
                                    settled == Long.MAX_VALUE ? "never" : "request #" + settled);
                            break;
                        }
                    }
                }
            }
        }
    }

    /** The handler's request number by which an event was done with: its first success or its last failed attempt. */
    private long settledAt(Subscription s, Event e) {
        long settled = Long.MAX_VALUE;
        for (Delivery d : deliveries(s, e.id())) {
            if (d.verdict().success()
                    || d.attempt() >= s.maxRetries && d.verdict().failure()) {
                settled = Math.min(settled, d.sequence());
            }
        }
        return settled;
    }

    private Optional<Delivery> firstSuccess(Subscription s, Event e) {
        return deliveries(s, e.id()).stream().filter(d -> d.verdict().success()).findFirst();
    }

    private void ownEvents() {
        long unknown = 0;
        for (Delivery d : seen.deliveries()) {
            Subscription s = d.to();
            if (!deliveryId(s.identity, d.eventId()).equals(d.deliveryId())) {
                violate(
                        OWN_EVENTS,
                        "%s: request #%d for event %s carries delivery id %s, not this subscription's",
                        s,
                        d.sequence(),
                        d.eventId(),
                        d.deliveryId());
            }
            Event e = events.get(d.eventId());
            if (e == null) {
                unknown++;
            } else if (!s.covers(e)) {
                violate(
                        OWN_EVENTS,
                        "%s (created %s, action %s): got event %s of %s appended at %d, before it existed",
                        s,
                        s.createdAt,
                        s.action,
                        e.id(),
                        e.action(),
                        e.appendedAtMs());
            }
        }
        seen.strays().forEach(stray -> violate(OWN_EVENTS, "a request no subscription explains: %s", stray));
        numbers.put("requests to handlers", (long) seen.deliveries().size());
        numbers.put("requests for events never acknowledged", unknown);
    }

    private void duplicates() {
        long successes = 0;
        long duplicates = 0;
        List<Long> restarts = history.restarts();
        for (Map.Entry<Subscription, Map<String, List<Delivery>>> bySubscription : deliveries.entrySet()) {
            for (List<Delivery> tried : bySubscription.getValue().values()) {
                List<Delivery> succeeded =
                        tried.stream().filter(d -> d.verdict().success()).toList();
                if (succeeded.isEmpty()) {
                    continue;
                }
                successes++;
                for (Delivery again : succeeded.subList(1, succeeded.size())) {
                    duplicates++;
                    numbers.merge("duplicates of " + bySubscription.getKey(), 1L, Long::sum);
                    long since = restarts.stream()
                            .filter(r -> r <= again.atMs())
                            .mapToLong(r -> again.atMs() - r)
                            .min()
                            .orElse(-1);
                    numbers.merge(
                            since < 0
                                    ? "duplicates before any restart"
                                    : since < 5_000
                                            ? "duplicates within 5 s of a restart"
                                            : since < 10_000
                                                    ? "duplicates 5-10 s after a restart"
                                                    : "duplicates over 10 s after a restart",
                            1L,
                            Long::sum);
                    boolean explained = restarts.stream()
                            .anyMatch(r -> again.atMs() >= r - 2_000 && again.atMs() <= r + RESTART_WINDOW_MS);
                    if (!explained) {
                        violate(
                                DUPLICATES,
                                "%s: event %s delivered again (request #%d, attempt %d, at %d) with no restart in"
                                        + " the %d s before",
                                bySubscription.getKey(),
                                again.eventId(),
                                again.sequence(),
                                again.attempt(),
                                again.atMs(),
                                RESTART_WINDOW_MS / 1000);
                    }
                }
            }
        }
        // loose: a redelivery of everything past each partition's lowest unsettled offset at every rebalance;
        // what it catches is a runaway (commits lost or never made), which redelivers events again and again
        long bound = Math.max(50, successes);
        if (duplicates > bound) {
            violate(
                    DUPLICATES,
                    "%d duplicate deliveries for %d delivered events (bound %d)",
                    duplicates,
                    successes,
                    bound);
        }
        numbers.put("events delivered (per subscription)", successes);
        numbers.put("duplicate deliveries", duplicates);
    }

    private void lag() {
        for (Subscription s : history.live()) {
            for (Position p : seen.positions().getOrDefault(s, List.of())) {
                boolean owes = history.events().stream().anyMatch(e -> s.covers(e) && e.partition() == p.partition());
                if (p.committed() == null ? owes : p.committed() != p.end()) {
                    violate(
                            LAG,
                            "%s: group %s on %s-%d committed %s of %d (commit metadata %s)",
                            s,
                            p.group(),
                            p.topic(),
                            p.partition(),
                            p.committed(),
                            p.end(),
                            p.metadata());
                }
            }
        }
        for (Position p : seen.retryPositions()) {
            if (p.end() > 0 && (p.committed() == null || p.committed() != p.end())) {
                violate(
                        LAG,
                        "retry group %s on %s-%d committed %s of %d",
                        p.group(),
                        p.topic(),
                        p.partition(),
                        p.committed(),
                        p.end());
            }
        }
    }

    private List<Delivery> deliveries(Subscription s, String eventId) {
        return deliveries.getOrDefault(s, Map.of()).getOrDefault(eventId, List.of());
    }

    private List<DeadLetter> deadLetters(Subscription s, String eventId) {
        return deadLetters.getOrDefault(s.identity + "|" + eventId, List.of());
    }

    private Map<String, Gist> gistsOf(Subscription s) {
        Map<String, Gist> byEvent = new HashMap<>();
        seen.gists().getOrDefault(s, List.of()).forEach(g -> byEvent.put(g.event(), g));
        return byEvent;
    }

    /**
     * One line per subscription (deleted ones too, for what they owed while they lived): events owed, delivered
     * and dead, how long first deliveries took after the append (p50 / p99 / max), duplicates.
     */
    private List<String> perSubscription() {
        List<String> lines = new ArrayList<>();
        for (Subscription s : history.subscriptions()) {
            long owed = 0;
            long delivered = 0;
            long dead = 0;
            long duplicates = 0;
            List<Long> latencies = new ArrayList<>();
            for (Event e : history.events()) {
                if (!s.covers(e) || !s.live() && e.appendedAtMs() > s.deletedAtMs) {
                    continue;
                }
                owed++;
                List<Delivery> succeeded = deliveries(s, e.id()).stream()
                        .filter(d -> d.verdict().success())
                        .toList();
                if (!succeeded.isEmpty()) {
                    delivered++;
                    duplicates += succeeded.size() - 1;
                    long due = e.notBefore() == null
                            ? e.appendedAtMs()
                            : Math.max(e.appendedAtMs(), e.notBefore().toEpochMilli());
                    latencies.add(succeeded.get(0).atMs() - due);
                } else if (!deadLetters(s, e.id()).isEmpty()) {
                    dead++;
                }
            }
            latencies.sort(null);
            lines.add(String.format(
                    "%-8s %-9s %-8s owed %4d delivered %4d dead %3d duplicates %3d; first delivery after %s ms",
                    s,
                    s.ordered ? "ordered" : "unordered",
                    s.live() ? "live" : "deleted",
                    owed,
                    delivered,
                    dead,
                    duplicates,
                    latencies.isEmpty()
                            ? "-"
                            : latencies.get(latencies.size() / 2) + " / " + latencies.get(latencies.size() * 99 / 100)
                                    + " / " + latencies.get(latencies.size() - 1)));
        }
        return lines;
    }

    /** What the other subscriptions of the same name got of an event, if anything. */
    private String others(Subscription s, Event e) {
        StringBuilder out = new StringBuilder();
        for (Subscription other : history.subscriptions()) {
            if (other != s && other.slot == s.slot && !deliveries(other, e.id()).isEmpty()) {
                out.append("; ").append(other).append(" got ").append(summary(deliveries(other, e.id())));
            }
        }
        return out.toString();
    }

    /**
     * What a handler answered to an event's requests, in order, with when each came (ms since the run started):
     * e.g. {@code [1:SERVER_ERROR(500)@+5012 2:OK(200)@+5230]}.
     */
    private String summary(List<Delivery> tried) {
        if (tried.isEmpty()) {
            return "no request";
        }
        return tried.stream()
                .map(d -> d.attempt() + ":" + d.verdict().kind() + "("
                        + d.verdict().status() + ")@+" + (d.atMs() - history.startedAtMs()))
                .collect(Collectors.joining(" ", "[", "]"));
    }

    private void violate(String check, String format, Object... args) {
        violations.get(check).add(String.format(format, args));
    }
}
