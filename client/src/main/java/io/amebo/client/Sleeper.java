package io.amebo.client;

import java.time.Duration;

/** Waits between attempts; {@link Thread#sleep} but for tests, which record the waits instead of sitting them out. */
@FunctionalInterface
interface Sleeper {

    Sleeper THREAD = duration -> Thread.sleep(duration.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
