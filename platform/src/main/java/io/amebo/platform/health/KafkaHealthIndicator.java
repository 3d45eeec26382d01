package io.amebo.platform.health;

import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * Kafka's part of {@code /health/ready}: up when the cluster answers a metadata request in time. Amebo's services
 * can do nothing useful without Kafka, so an orchestrator should send them no traffic while it is unreachable.
 */
public final class KafkaHealthIndicator implements ReactiveHealthIndicator, DisposableBean {

    private final Admin admin;
    private final Duration timeout;

    public KafkaHealthIndicator(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    @Override
    public Mono<Health> health() {
        DescribeClusterOptions options = new DescribeClusterOptions().timeoutMs((int) timeout.toMillis());
        return Mono.fromCompletionStage(
                        () -> admin.describeCluster(options).nodes().toCompletionStage())
                .map(nodes -> Health.up().withDetail("brokers", nodes.size()).build())
                .timeout(timeout.plusSeconds(1))
                .onErrorResume(e -> Mono.just(
                        Health.down().withDetail("error", e.toString()).build()));
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(2));
    }
}
