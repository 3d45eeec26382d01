package io.amebo.gateway.http;

import io.amebo.contract.registry.ActionState;
import io.amebo.contract.registry.ApplicationState;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Mono;

/**
 * Asks the registry for an entity the registry view has not seen yet (read-your-writes right after a
 * registration). Any failure, including an unreachable registry, is "not known": the view stays the source of
 * truth, and an outage of the registry never fails a publish of an action the view knows.
 */
public final class RegistryClient {

    private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);

    private final WebClient http;
    private final Duration timeout;

    public RegistryClient(WebClient.Builder builder, String registryUrl, String adminToken, Duration timeout) {
        this.http = builder.baseUrl(registryUrl)
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + adminToken)
                .build();
        this.timeout = timeout;
    }

    public Mono<Optional<ActionState>> action(String name) {
        return state("action", name, ActionState.class);
    }

    public Mono<Optional<ApplicationState>> application(String name) {
        return state("application", name, ApplicationState.class);
    }

    private <T> Mono<Optional<T>> state(String kind, String name, Class<T> type) {
        return http.get()
                .uri("/v1/registry/{kind}/{name}", kind, name)
                .retrieve()
                .bodyToMono(type)
                .timeout(timeout)
                .map(Optional::of)
                .onErrorResume(e -> {
                    if (!(e instanceof WebClientResponseException w && w.getStatusCode() == HttpStatus.NOT_FOUND)) {
                        log.debug("Registry lookup of {} {} failed: {}", kind, name, e.toString());
                    }
                    return Mono.just(Optional.empty());
                })
                .defaultIfEmpty(Optional.empty());
    }
}
