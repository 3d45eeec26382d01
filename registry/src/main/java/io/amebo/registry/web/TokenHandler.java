package io.amebo.registry.web;

import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.auth.TokenService;
import io.amebo.platform.web.FieldReader;
import io.amebo.platform.web.JsonBodies;
import io.amebo.platform.web.ProblemException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/tokens} (and the original's {@code /v8/tokens}): an application trades its secret for a signed,
 * expiring bearer token. Both request shapes work: {@code {application, secret}} and the original's
 * {@code {username, password, scheme}}.
 */
final class TokenHandler {

    private static final Set<String> FIELDS = Set.of("application", "secret", "username", "password", "scheme");

    private final JsonBodies bodies;
    private final Authenticator authenticator;
    private final TokenService tokens;

    TokenHandler(JsonBodies bodies, Authenticator authenticator, TokenService tokens) {
        this.bodies = bodies;
        this.authenticator = authenticator;
        this.tokens = tokens;
    }

    record Login(String application, String secret) {}

    Mono<ServerResponse> issue(ServerRequest request) {
        return bodies.object(request)
                .map(TokenHandler::read)
                .flatMap(login -> authenticator
                        .checkSecret(login.application(), login.secret())
                        .flatMap(Mono::justOrEmpty)
                        .switchIfEmpty(Mono.error(() -> ProblemException.unauthorized("wrong application or secret")))
                        .map(credential -> {
                            authenticator.countToken(login.application());
                            return tokens.issue(login.application(), credential.generation());
                        }))
                .flatMap(issued -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("token", issued.token());
                    body.put("token_type", "Bearer");
                    body.put("expires_in", issued.expiresInSeconds());
                    return ServerResponse.ok()
                            .contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(body);
                });
    }

    private static Login read(JsonNode body) {
        FieldReader fields = new FieldReader(body, FIELDS);
        boolean original = body.has("username") || body.has("password");
        String application =
                original ? fields.requiredString("username", 100) : fields.requiredString("application", 100);
        String secret = original ? fields.requiredString("password", 512) : fields.requiredString("secret", 512);
        fields.optionalString("scheme", 20);
        fields.validate("the login");
        return new Login(application, secret);
    }
}
