package io.amebo.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Clients for tests: pointed at a {@link FakeAmebo}, with a hand-moved clock and waits recorded, not sat out. */
final class TestClients {

    static final String APP = "user-service";
    static final String SECRET = "user-service-secret";
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    final MutableClock clock = new MutableClock(T0);
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    AmeboClient.Builder builder(FakeAmebo amebo) {
        return AmeboClient.builder()
                .baseUrl(amebo.url())
                .application(APP, SECRET)
                .clock(clock)
                .sleeper(sleeps::add)
                .random(() -> 0.5);
    }

    /** An application's client; the fake issues it tokens living an hour. */
    AmeboClient application(FakeAmebo amebo) {
        amebo.issueTokens(APP, SECRET, 3600);
        return builder(amebo).build();
    }
}
