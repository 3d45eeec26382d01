package io.amebo.standalone.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.standalone.checker.Checks.DeadLetter;
import io.amebo.standalone.checker.Checks.Delivery;
import io.amebo.standalone.checker.Checks.Gist;
import io.amebo.standalone.checker.Checks.Observations;
import io.amebo.standalone.checker.Checks.Position;
import io.amebo.standalone.checker.Checks.Report;
import io.amebo.standalone.checker.Handlers.Kind;
import io.amebo.standalone.checker.Handlers.Verdict;
import io.amebo.standalone.checker.History.Event;
import io.amebo.standalone.checker.History.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The checks on made-up histories: each guarantee's check passes a correct run and names a broken one. */
class ChecksTest {

    private static final Verdict OK = new Verdict(Kind.OK, 200, 0);
    private static final Verdict FAILED = new Verdict(Kind.SERVER_ERROR, 500, 0);
    private static final Verdict TOO_LATE = new Verdict(Kind.TOO_LATE, 200, Handlers.TOO_LATE_MS);

    private final History history = new History();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final Map<Subscription, List<Gist>> gists = new HashMap<>();
    private final Map<Subscription, List<Position>> positions = new HashMap<>();
    private Subscription ordered;
    private long sequence;

    @BeforeEach
    void oneOrderedSubscriptionAndThreeEventsOfOneKey() {
        history.begin(1_000);
        ordered = subscription(1, true, 3, 1_000);
        for (int offset = 0; offset < 3; offset++) {
            history.published(new Event("e" + offset, "orders", 0, offset, "k", 2_000 + offset, null));
        }
    }

    @Test
    void passesARunWhereEveryEventWasDeliveredInOrder() {
        deliverAll(ordered, "e0", "e1", "e2");

        assertThat(check().passed()).isTrue();
    }

    @Test
    void namesAnEventThatWasNeitherDeliveredNorDead() {
        deliverAll(ordered, "e0", "e2");

        assertThat(check().violations().get(Checks.DELIVERED_OR_DEAD))
                .singleElement()
                .asString()
                .contains("e1");
    }

    @Test
    void acceptsAnEventThatIsDeadAfterItsHandlerFailedEveryAttempt() {
        deliverAll(ordered, "e0");
        for (int attempt = 1; attempt <= 3; attempt++) {
            request(ordered, "e1", attempt, FAILED);
        }
        dead(ordered, "e1", 3);
        deliverAll(ordered, "e2");

        assertThat(check().passed()).isTrue();
    }

    @Test
    void namesADeadLetterForAnEventItsHandlerDidNotFailEveryTime() {
        deliverAll(ordered, "e0");
        request(ordered, "e1", 1, FAILED);
        request(ordered, "e1", 2, FAILED);
        request(ordered, "e1", 3, new Verdict(Kind.LARGE_OK, 200, 0)); // a 2xx with a large body is a success
        dead(ordered, "e1", 3);
        deliverAll(ordered, "e2");

        assertThat(check().violations().get(Checks.DEAD_ONLY_AFTER_FAILURES))
                .singleElement()
                .asString()
                .contains("never failed attempt 3");
    }

    @Test
    void countsAnAnswerLaterThanTheTimeoutAsAFailure() {
        deliverAll(ordered, "e0");
        request(ordered, "e1", 1, TOO_LATE);
        deliverAll(ordered, "e1", "e2");

        assertThat(check().passed()).isTrue();
        assertThat(check().numbers()).containsEntry("duplicate deliveries", 0L);
    }

    @Test
    void namesAKeyDeliveredOutOfOrder() {
        deliverAll(ordered, "e0", "e2", "e1");

        assertThat(check().violations().get(Checks.ORDER))
                .singleElement()
                .asString()
                .contains("offset 2 was first delivered");
    }

    @Test
    void namesAGistThatIsNotFinal() {
        deliverAll(ordered, "e0", "e1");
        request(ordered, "e2", 1, OK);
        gists.get(ordered).removeIf(g -> g.event().equals("e2"));
        gists.get(ordered).add(new Gist("e2", "failed", 1, 500, "HTTP 500", 0));

        Report report = check();

        assertThat(report.violations().get(Checks.GISTS_FINAL))
                .singleElement()
                .asString()
                .contains("ends failed");
    }

    @Test
    void namesAnEventDeliveredToASubscriptionCreatedAfterItWasAppended() {
        deliverAll(ordered, "e0", "e1", "e2");
        Subscription later = subscription(2, false, 3, 2_001);
        deliverAll(later, "e1", "e2");
        request(later, "e0", 1, OK);

        assertThat(check().violations().get(Checks.OWN_EVENTS))
                .singleElement()
                .asString()
                .contains("got event e0");
    }

    @Test
    void namesAGroupThatDidNotCommitToTheEnd() {
        deliverAll(ordered, "e0", "e1", "e2");
        positions.put(ordered, List.of(new Position("g", "t", 0, 2L, 3, ordered.identity)));

        assertThat(check().violations().get(Checks.LAG))
                .singleElement()
                .asString()
                .contains("committed 2 of 3");
    }

    @Test
    void namesDuplicatesLongAfterAnyRestart() {
        deliverAll(ordered, "e0", "e1", "e2");
        history.restart(1_500);
        deliveries.add(
                new Delivery(ordered, "e1", 1, Checks.deliveryId(ordered.identity, "e1"), ++sequence, 60_000, OK));

        assertThat(check().violations().get(Checks.DUPLICATES))
                .singleElement()
                .asString()
                .contains("delivered again");
    }

    private Subscription subscription(int slot, boolean ordered, int maxRetries, long createdAtMs) {
        Subscription s = new Subscription(slot, 1, "sub-" + slot, "orders", ordered, maxRetries, null, "/s" + slot);
        s.identity = "id-" + slot;
        s.createdAt = Instant.ofEpochMilli(createdAtMs);
        history.created(s);
        gists.put(s, new ArrayList<>());
        positions.put(s, List.of(new Position("g", "t", 0, 3L, 3, s.identity)));
        return s;
    }

    /** Each event delivered at its first attempt, in the order given, with a gist that says so. */
    private void deliverAll(Subscription s, String... events) {
        for (String event : events) {
            request(s, event, 1, OK);
            gists.get(s).add(new Gist(event, "delivered", 1, 200, null, 0));
        }
    }

    private void request(Subscription s, String event, int attempt, Verdict verdict) {
        sequence++;
        deliveries.add(new Delivery(
                s, event, attempt, Checks.deliveryId(s.identity, event), sequence, 2_000 + sequence, verdict));
    }

    private void dead(Subscription s, String event, int attempts) {
        deadLetters.add(new DeadLetter(s.name, s.identity, event, attempts, "500", "HTTP 500"));
        gists.get(s).add(new Gist(event, "dead", attempts, 500, "HTTP 500", 0));
    }

    private Report check() {
        return Checks.check(
                history,
                new Observations(deliveries, List.of(), deadLetters, gists, positions, List.of(), (s, e) -> "[]"));
    }
}
