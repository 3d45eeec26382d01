package io.amebo.client;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every API call does: resolve its URL on the service that answers it, write the body, send it as the
 * client's credential through the {@link HttpTransport}, and read the answer. Shared by {@link AmeboClient} and its
 * registration APIs.
 */
final class Calls {

    /** Which service answers a call; all three are the same base URL for the standalone. */
    enum Service {
        GATEWAY,
        REGISTRY,
        DISPATCHER
    }

    /** Items per page when a list is read page by page: the most Amebo serves. */
    static final int PAGE_SIZE = 100;

    private final Map<Service, URI> bases;
    private final HttpTransport transport;
    private final Authorization auth;
    private final JsonMapper json;

    Calls(Map<Service, URI> bases, HttpTransport transport, Authorization auth, JsonMapper json) {
        this.bases = bases;
        this.transport = transport;
        this.auth = auth;
        this.json = json;
    }

    JsonMapper json() {
        return json;
    }

    /** {@code prefix/segment}, the segment percent-encoded. */
    static String path(String prefix, String segment) {
        return prefix + "/" + Query.encode(segment);
    }

    HttpTransport.Call call(
            String method,
            Service service,
            String path,
            Query query,
            Object body,
            Idempotency idempotency,
            Map<String, String> headers) {
        URI uri = URI.create(bases.get(service) + path + (query == null ? "" : query.toString()));
        return new HttpTransport.Call(method, uri, body == null ? null : write(body), idempotency, headers);
    }

    /** The final answer, whatever its status. */
    HttpTransport.Reply send(HttpTransport.Call call) {
        return transport.send(call, auth);
    }

    /** The 2xx answer; any other is thrown. */
    HttpTransport.Reply expect(HttpTransport.Call call) {
        return transport.expect(call, auth);
    }

    AmeboApiException failure(HttpTransport.Call call, HttpTransport.Reply reply) {
        return transport.failure(call, reply);
    }

    /** A read whose 2xx answer is read as {@code type}. */
    <T> T get(Service service, String path, Class<T> type) {
        HttpTransport.Call call = call("GET", service, path, null, null, Idempotency.IDEMPOTENT, Map.of());
        return Json.read(json, call, expect(call), type);
    }

    /** A call with a JSON body whose 2xx answer is read as {@code type}. */
    <T> T request(String method, Service service, String path, Object body, Idempotency idempotency, Class<T> type) {
        HttpTransport.Call call = call(method, service, path, null, body, idempotency, Map.of());
        return Json.read(json, call, expect(call), type);
    }

    void delete(Service service, String path) {
        expect(call("DELETE", service, path, null, null, Idempotency.IDEMPOTENT, Map.of()));
    }

    /**
     * A list read page by page ({@code page} from 1, {@code pagination} {@value #PAGE_SIZE}) as a lazy stream. The next
     * page is read when the answer links to it ({@code Link: <...>; rel="next"}), or, from a server that sends no
     * {@code Link} at all, when the page was full. The link's own URL is not followed, only its page number is
     * advanced: a base URL behind a path-rewriting proxy keeps working.
     */
    <T> Stream<T> list(Service service, String path, Query filters, Class<T> type) {
        return Pages.stream(page(service, path, filters, type, 1));
    }

    private <T> Pages.Page<T> page(Service service, String path, Query filters, Class<T> type, int page) {
        Query query = filters.copy().add("page", page).add("pagination", PAGE_SIZE);
        HttpTransport.Call call = call("GET", service, path, query, null, Idempotency.IDEMPOTENT, Map.of());
        HttpTransport.Reply reply = expect(call);
        List<T> items = Json.list(json, call, reply, type);
        List<String> links = reply.headers().allValues("Link");
        boolean more =
                links.isEmpty() ? items.size() >= PAGE_SIZE : links.stream().anyMatch(Calls::isNext);
        return new Pages.Page<>(items, more ? () -> page(service, path, filters, type, page + 1) : null);
    }

    /** Whether a {@code Link} header value holds a {@code rel="next"} link (RFC 8288; quoted or not). */
    static boolean isNext(String link) {
        for (String part : link.split(",")) {
            for (String parameter : part.split(";")) {
                String p = parameter.strip().replace(" ", "");
                if (p.equalsIgnoreCase("rel=\"next\"") || p.equalsIgnoreCase("rel=next")) {
                    return true;
                }
            }
        }
        return false;
    }

    private byte[] write(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the request cannot be written as JSON: " + e.getMessage(), e);
        }
    }
}
