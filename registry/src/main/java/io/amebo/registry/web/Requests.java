package io.amebo.registry.web;

import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.auth.Principal;
import io.amebo.platform.web.ProblemException;
import io.amebo.platform.web.QueryParams;
import io.amebo.registry.core.PageRequest;
import java.time.Instant;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/** What every registry handler does with a request: who is asking, which page, which time bounds. */
final class Requests {

    private final Authenticator authenticator;

    Requests(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    Mono<Principal> principal(ServerRequest request) {
        return authenticator.authenticate(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
    }

    static Mono<Principal> requireAdmin(Principal principal) {
        return principal.isAdmin()
                ? Mono.just(principal)
                : Mono.error(ProblemException.forbidden("only the admin may do this"));
    }

    static void requireActingAs(Principal principal, String application, String what) {
        if (!principal.mayActAs(application)) {
            throw ProblemException.forbidden("an application may only " + what + " for itself");
        }
    }

    static PageRequest page(ServerRequest request) {
        PageRequest.Parsed parsed = PageRequest.parse(
                request.queryParam("page"), request.queryParam("pagination").or(() -> request.queryParam("limit")));
        if (!parsed.errors().isEmpty()) {
            throw ProblemException.badRequest("invalid paging parameters", parsed.errors());
        }
        return parsed.page().orElseThrow();
    }

    static Optional<Instant> time(ServerRequest request, String name) {
        return QueryParams.time(request, name);
    }
}
