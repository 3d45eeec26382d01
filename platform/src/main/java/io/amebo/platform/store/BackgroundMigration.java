package io.amebo.platform.store;

import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Migrates a service's own tables (its own Flyway history and migration folder) in the background, retrying until
 * PostgreSQL answers: the gateway and dispatcher start and do their main work without PostgreSQL (DESIGN §6.5);
 * only what needs their tables waits for {@link #isReady}.
 */
public final class BackgroundMigration implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BackgroundMigration.class);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final Flyway flyway;
    private volatile boolean ready;
    private volatile boolean running;
    private Thread thread;

    private final String service;

    /** Migrates {@code classpath:db/<service>} with history table {@code flyway_<service>_history}. */
    public BackgroundMigration(String service, String jdbcUrl, String user, String password) {
        this.service = service;
        this.flyway = Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .locations("classpath:db/" + service)
                .table("flyway_" + service + "_history")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load();
    }

    public boolean isReady() {
        return ready;
    }

    @Override
    public synchronized void start() {
        running = true;
        thread = new Thread(this::migrate, "amebo-" + service + "-schema");
        thread.setDaemon(true);
        thread.start();
    }

    private void migrate() {
        while (running && !ready) {
            try {
                flyway.migrate();
                ready = true;
            } catch (RuntimeException e) {
                log.warn("The {}'s tables are not ready yet ({}); retrying in {}", service, e.getMessage(), RETRY);
                try {
                    Thread.sleep(RETRY.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Early: it starts before, and stops after, whatever uses its tables. (A lifecycle bean stops the beans that
     * depend on it before itself, so in a late phase it would stop them before their own phase, first of all.)
     */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 500;
    }
}
