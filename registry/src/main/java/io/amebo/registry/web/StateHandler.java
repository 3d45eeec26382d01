package io.amebo.registry.web;

import io.amebo.contract.registry.RegistryKeys;
import io.amebo.platform.web.ProblemException;
import java.util.Locale;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v1/registry/{kind}/{name}} (admin only): an entity's state exactly as the {@code amebo.registry}
 * changelog carries it, secrets sealed. The gateway and dispatcher ask here when their view has not yet seen
 * something that was just registered, so that a publish right after a registration works (read-your-writes).
 */
final class StateHandler {

    private final Requests requests;
    private final RegistryRoutes.Dependencies d;

    StateHandler(Requests requests, RegistryRoutes.Dependencies d) {
        this.requests = requests;
        this.d = d;
    }

    Mono<ServerResponse> get(ServerRequest request) {
        String name = request.pathVariable("name");
        // the kind is looked at only after the caller is known: 401 comes before anything says what exists
        return requests.principal(request)
                .flatMap(Requests::requireAdmin)
                .then(Mono.fromCallable(() -> kind(request.pathVariable("kind"))))
                .flatMap(kind -> state(kind, name)
                        .switchIfEmpty(Mono.error(() -> ProblemException.notFound(
                                "no " + kind.name().toLowerCase(Locale.ROOT) + " named " + name))))
                .flatMap(state -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(state));
    }

    private Mono<?> state(RegistryKeys.Kind kind, String name) {
        return switch (kind) {
            case APPLICATION -> d.repository().findApplication(name);
            case ACTION -> d.repository().findAction(name);
            case SUBSCRIPTION -> d.repository().findSubscription(name);
        };
    }

    private static RegistryKeys.Kind kind(String text) {
        for (RegistryKeys.Kind kind : RegistryKeys.Kind.values()) {
            if (kind.name().equalsIgnoreCase(text)) {
                return kind;
            }
        }
        throw ProblemException.notFound(
                "no registry entities of kind " + text + "; use application, action or subscription");
    }
}
