package io.amebo.standalone.checker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches how late this JVM gets to run a thread that wakes every 20 ms: on a 2-core machine shared with builds,
 * JVM starts and garbage collection, a short request timeout can expire before the request is even written. The
 * report gives the stalls, so a timeout the handler never saw can be told from a dispatcher that lost a request.
 */
final class Stalls implements AutoCloseable {

    private static final long TICK_NANOS = Duration.ofMillis(20).toNanos();
    private static final long STALL_NANOS = Duration.ofMillis(300).toNanos();

    /** A moment the JVM did not run a runnable thread for {@code millis}. */
    record Stall(long atMs, long millis) {}

    private final List<Stall> stalls = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    Stalls() {
        thread = new Thread(this::watch, "checker-stalls");
        thread.setDaemon(true);
        thread.setPriority(Thread.MAX_PRIORITY);
        thread.start();
    }

    private void watch() {
        long last = System.nanoTime();
        while (running) {
            LockSupport.parkNanos(TICK_NANOS);
            long now = System.nanoTime();
            long late = now - last - TICK_NANOS;
            if (late > STALL_NANOS) {
                stalls.add(new Stall(
                        System.currentTimeMillis(), Duration.ofNanos(late).toMillis()));
            }
            last = now;
        }
    }

    List<Stall> stalls() {
        return List.copyOf(stalls);
    }

    @Override
    public void close() {
        running = false;
    }
}
