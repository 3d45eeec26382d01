package io.amebo.registry.store;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Work the registry does once per start, in the background, so startup never waits for Kafka or PostgreSQL: while
 * either does not answer, the pass logs and runs again from the start after pauses growing from one second to a
 * minute, until it has succeeded once.
 *
 * @param <T> what a pass reports when it succeeded
 */
public abstract class StartupPass<T> implements SmartLifecycle {

    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LONGEST_RETRY = Duration.ofMinutes(1);

    /** The subclass's logger, so that its lines carry its name. */
    protected final Logger log = LoggerFactory.getLogger(getClass());

    private final String what;
    private volatile Disposable pass;

    /** {@code what} completes "could not … yet" in the log. */
    protected StartupPass(String what) {
        this.what = what;
    }

    /** One whole pass. */
    protected abstract Mono<T> run();

    /** Called once, with what the successful pass reported. */
    protected void done(T result) {}

    @Override
    public void start() {
        pass = run().retryWhen(Retry.backoff(Long.MAX_VALUE, FIRST_RETRY)
                        .maxBackoff(LONGEST_RETRY)
                        .doBeforeRetry(signal -> log.warn(
                                "Could not {} yet (attempt {}); will retry: {}",
                                what,
                                signal.totalRetries() + 1,
                                signal.failure().toString())))
                .subscribe(this::done);
    }

    @Override
    public void stop() {
        Disposable current = pass;
        if (current != null) {
            current.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        Disposable current = pass;
        return current != null && !current.isDisposed();
    }
}
