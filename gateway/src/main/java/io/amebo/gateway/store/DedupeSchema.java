package io.amebo.gateway.store;

import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Migrates the gateway's own table (its own Flyway history, {@code db/gateway}) in the background, retrying until
 * PostgreSQL answers: the gateway starts and publishes without PostgreSQL (DESIGN §6.5); only publishes that ask
 * for deduplication wait for it (they answer 503 until the table is ready).
 */
public final class DedupeSchema implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DedupeSchema.class);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final Flyway flyway;
    private volatile boolean ready;
    private volatile boolean running;
    private Thread thread;

    public DedupeSchema(String jdbcUrl, String user, String password) {
        this.flyway = Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .locations("classpath:db/gateway")
                .table("flyway_gateway_history")
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
        thread = new Thread(this::migrate, "amebo-gateway-schema");
        thread.setDaemon(true);
        thread.start();
    }

    private void migrate() {
        while (running && !ready) {
            try {
                flyway.migrate();
                ready = true;
            } catch (RuntimeException e) {
                log.warn("Gateway deduplication table not ready yet ({}); retrying in {}", e.getMessage(), RETRY);
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
}
