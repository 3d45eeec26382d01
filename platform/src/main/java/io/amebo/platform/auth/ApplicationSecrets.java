package io.amebo.platform.auth;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Port: the secrets an application may authenticate with right now ({@link Credential}): the current one first,
 * then a rotated-out one while its grace period lasts. The registry answers from PostgreSQL, the gateway and
 * dispatcher from the registry view. An unknown application has none (an empty list, not an error).
 */
@FunctionalInterface
public interface ApplicationSecrets {
    Mono<List<Credential>> secretsOf(String application);
}
