package io.amebo.registry.web;

import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.auth.Principal;
import io.amebo.platform.web.ProblemException;
import io.amebo.platform.web.QueryParams;
import io.amebo.registry.core.PageRequest;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.util.UriComponentsBuilder;
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

    /** A list answer: a bare JSON array, as Amebo's lists are, with the next page in a {@code Link} header. */
    static Mono<ServerResponse> list(ServerRequest request, PageRequest page, List<?> items) {
        ServerResponse.BodyBuilder ok = ServerResponse.ok().contentType(MediaType.APPLICATION_JSON);
        if (items.size() == page.size()) {
            URI next = UriComponentsBuilder.fromUri(request.uri())
                    .replaceQueryParam("page", page.page() + 1)
                    .replaceQueryParam("pagination", page.size())
                    .replaceQueryParam("limit")
                    .build(true)
                    .toUri();
            ok = ok.header(HttpHeaders.LINK, "<" + next.getRawPath() + "?" + next.getRawQuery() + ">; rel=\"next\"");
        }
        return ok.bodyValue(items);
    }
}
