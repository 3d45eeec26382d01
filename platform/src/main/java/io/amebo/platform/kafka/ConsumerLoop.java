package io.amebo.platform.kafka;

import java.time.Duration;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer on a thread of its own: {@link #follow} runs with a fresh consumer until {@link #stop}; if the consumer
 * fails, it is closed, {@link #afterSession} cleans up, and a new one starts after a pause. Stopping wakes the
 * consumer up, so a blocked poll returns at once, and waits for the thread to finish closing it (which commits
 * nothing on its own and leaves the consumer group cleanly).
 */
public abstract class ConsumerLoop {

    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final Duration JOIN = Duration.ofSeconds(15);

    private final String threadName;
    private final Supplier<Consumer<String, byte[]>> consumers;
    private final Duration restartPause;
    private volatile boolean running;
    private volatile Consumer<String, byte[]> consumer;
    private Thread thread;

    protected ConsumerLoop(String threadName, Supplier<Consumer<String, byte[]>> consumers, Duration restartPause) {
        this.threadName = threadName;
        this.consumers = consumers;
        this.restartPause = restartPause;
    }

    /** Consumes until {@link #running()} turns false; may return early or throw to start over. */
    protected abstract void follow(Consumer<String, byte[]> consumer);

    /** Runs on the loop's thread after each consumer session, however it ended. */
    protected void afterSession() {}

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    public synchronized void stop() {
        running = false;
        Consumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(JOIN.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean isRunning() {
        return running;
    }

    protected final boolean running() {
        return running;
    }

    /** Ends the loop from its own thread, once {@link #follow} returns (a consumer with a finite job). */
    protected final void finish() {
        running = false;
    }

    private void run() {
        while (running) {
            try (Consumer<String, byte[]> c = consumers.get()) {
                consumer = c;
                follow(c);
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                log.warn("{} failed; starting over in {}", threadName, restartPause, e);
                pause();
            } finally {
                consumer = null;
                afterSession();
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(restartPause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
