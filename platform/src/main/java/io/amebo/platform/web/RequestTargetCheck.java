package io.amebo.platform.web;

import io.amebo.contract.Problem.FieldError;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.server.PathContainer;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses, before any route sees it, a request whose decoded path or query holds a control character (a NUL, a line
 * break, ...) or half of a surrogate pair: no name, id, time or filter contains one, and PostgreSQL cannot even
 * compare against a NUL, so such a value is always malformed. The answer is a 400 problem naming the query
 * parameter, or the path.
 */
public final class RequestTargetCheck implements WebFilter {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        for (PathContainer.Element element : exchange.getRequest().getPath().elements()) {
            if (element instanceof PathContainer.PathSegment segment && !clean(segment.valueToMatch())) {
                return Mono.error(ProblemException.badRequest(
                        "the path must not contain control characters or unpaired surrogates"));
            }
        }
        for (Map.Entry<String, List<String>> parameter :
                exchange.getRequest().getQueryParams().entrySet()) {
            Optional<String> bad = parameter.getValue().stream()
                    .filter(value -> value != null && !clean(value))
                    .findFirst();
            if (bad.isPresent() || !clean(parameter.getKey())) {
                String name = parameter.getKey();
                return Mono.error(ProblemException.badRequest(
                        "the query parameter " + name + " must not contain control characters or unpaired surrogates",
                        List.of(new FieldError(
                                FieldReader.pointer(name),
                                "must not contain control characters or unpaired surrogates"))));
            }
        }
        return chain.filter(exchange);
    }

    private static boolean clean(String text) {
        if (FieldReader.checkStorable(text).isPresent()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
