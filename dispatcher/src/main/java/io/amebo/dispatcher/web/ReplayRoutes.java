package io.amebo.dispatcher.web;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import io.amebo.contract.registry.ActionState;
import io.amebo.contract.registry.SubscriptionState;
import io.amebo.dispatcher.kafka.ReplayRunner;
import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.auth.Principal;
import io.amebo.platform.view.RegistryView;
import io.amebo.platform.web.FieldReader;
import io.amebo.platform.web.JsonBodies;
import io.amebo.platform.web.ProblemException;
import java.net.URI;
import java.time.Instant;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/subscriptions/{name}/replay {"from", "to"}} → 202 {@code {replay}}, and
 * {@code GET /v1/subscriptions/{name}/replays/{replay}} for its progress (DESIGN §4.2, §6.6).
 */
public final class ReplayRoutes {

    private final Authenticator authenticator;
    private final JsonBodies bodies;
    private final SubscriptionAccess access;
    private final ReplayRunner replays;

    private ReplayRoutes(Authenticator authenticator, JsonBodies bodies, RegistryView view, ReplayRunner replays) {
        this.authenticator = authenticator;
        this.bodies = bodies;
        this.access = new SubscriptionAccess(view);
        this.replays = replays;
    }

    public static RouterFunction<ServerResponse> router(
            Authenticator authenticator, JsonBodies bodies, RegistryView view, ReplayRunner replays) {
        ReplayRoutes routes = new ReplayRoutes(authenticator, bodies, view, replays);
        return RouterFunctions.route()
                .route(POST("/v1/subscriptions/{name}/replay"), routes::start)
                .route(GET("/v1/subscriptions/{name}/replays/{replay}"), routes::progress)
                .build();
    }

    record Window(Instant from, Instant to) {}

    Mono<ServerResponse> start(ServerRequest request) {
        String name = request.pathVariable("name");
        return principal(request)
                .map(principal -> access.owned(principal, name, "replay its events"))
                .zipWhen(subscription -> bodies.object(request).map(ReplayRoutes::window))
                .map(t -> {
                    SubscriptionState subscription = t.getT1();
                    ActionState action = access.readableAction(subscription);
                    return replays.start(
                            subscription,
                            action.topic(),
                            t.getT2().from(),
                            t.getT2().to());
                })
                .flatMap(replay -> ServerResponse.status(HttpStatus.ACCEPTED)
                        .location(URI.create("/v1/subscriptions/" + name + "/replays/"
                                + replay.view().get("replay")))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(replay.view()));
    }

    Mono<ServerResponse> progress(ServerRequest request) {
        String name = request.pathVariable("name");
        return principal(request)
                .map(principal -> access.owned(principal, name, "see its replays"))
                .map(subscription -> replays.find(subscription, request.pathVariable("replay"))
                        .orElseThrow(() -> ProblemException.notFound("no such replay of " + name)))
                .flatMap(replay -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(replay.view()));
    }

    private static Window window(JsonNode body) {
        FieldReader fields = new FieldReader(body, Set.of("from", "to"));
        Instant from = fields.requiredTime("from");
        Instant to = fields.optionalTime("to").orElse(body.hasNonNull("to") ? null : Instant.now());
        if (from != null && to != null && !from.isBefore(to)) {
            fields.reject("from", "must be before to");
        }
        fields.validate("the replay");
        return new Window(from, to);
    }

    private Mono<Principal> principal(ServerRequest request) {
        return authenticator.authenticate(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
    }
}
