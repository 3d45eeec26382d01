package io.amebo.platform.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * How every paged list answers ({@code page} from 1, {@code pagination} rows a page): a bare JSON array, as Amebo's
 * lists are, and the next page in a {@code Link: <...>; rel="next"} header (RFC 8288) when there is one. A list
 * fetches {@link #rowsToFetch} rows, one more than the page holds: the extra row says a next page exists, so the
 * last page, even a full one, has no link.
 */
public final class ListPages {

    /** Replaced in the next page's link; {@code limit} is a synonym of {@code pagination} some lists accept. */
    private static final Set<String> PAGING = Set.of("page", "pagination", "limit");

    private ListPages() {}

    /** How many rows to read for a page of {@code size}: one more, to learn whether another page follows. */
    public static int rowsToFetch(int size) {
        return size + 1;
    }

    /** Answers the first {@code size} of {@code fetched}, with a link to page {@code page + 1} if there was more. */
    public static Mono<ServerResponse> respond(ServerRequest request, int page, int size, List<?> fetched) {
        ServerResponse.BodyBuilder ok = ServerResponse.ok().contentType(MediaType.APPLICATION_JSON);
        if (fetched.size() > size) {
            String next = nextLink(request.uri().getRawPath(), request.queryParams(), page + 1, size);
            ok = ok.header(HttpHeaders.LINK, "<" + next + ">; rel=\"next\"");
        }
        return ok.bodyValue(fetched.size() > size ? fetched.subList(0, size) : fetched);
    }

    /**
     * The path with every query parameter of the request but its paging, which becomes {@code page} and
     * {@code pagination}; names and values are percent-encoded (RFC 3986, a space as {@code %20}), whatever
     * encoding the request used.
     */
    static String nextLink(String rawPath, MultiValueMap<String, String> query, int page, int size) {
        StringJoiner parameters = new StringJoiner("&");
        for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
            if (PAGING.contains(parameter.getKey())) {
                continue;
            }
            for (String value : parameter.getValue()) {
                parameters.add(
                        value == null ? encode(parameter.getKey()) : encode(parameter.getKey()) + "=" + encode(value));
            }
        }
        parameters.add("page=" + page).add("pagination=" + size);
        return rawPath + "?" + parameters;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
