package io.amebo.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real local HTTP server standing in for Amebo: each test says how a route answers, and every request it got is
 * kept for the test to check. Routes not set up answer 404. Serves requests concurrently.
 */
final class FakeAmebo implements AutoCloseable {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A request as the server saw it. */
    record Request(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {

        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }

        /** The query parameters, decoded, in order, repeated names kept. */
        Map<String, List<String>> params() {
            Map<String, List<String>> params = new LinkedHashMap<>();
            if (rawQuery != null) {
                for (String pair : rawQuery.split("&")) {
                    String[] kv = pair.split("=", 2);
                    params.computeIfAbsent(decode(kv[0]), k -> new ArrayList<>())
                            .add(kv.length > 1 ? decode(kv[1]) : "");
                }
            }
            return params;
        }

        String param(String name) {
            List<String> values = params().get(name);
            return values == null ? null : values.get(0);
        }

        JsonNode json() {
            return JSON.readTree(body);
        }

        private static String decode(String text) {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
    }

    /** An answer: status, headers, body. */
    record Response(int status, Map<String, String> headers, String body) {

        static Response json(int status, String body) {
            return new Response(status, Map.of("Content-Type", "application/json"), body);
        }

        static Response problem(int status, String body) {
            return new Response(status, Map.of("Content-Type", "application/problem+json"), body);
        }

        Response with(String header, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(header, value);
            return new Response(status, more, body);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, Function<Request, Response>> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeAmebo() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void on(String method, String path, Function<Request, Response> handler) {
        routes.put(method + " " + path, handler);
    }

    /** Answers the route with these responses in turn, the last one from then on. */
    void answer(String method, String path, Response... responses) {
        AtomicInteger next = new AtomicInteger();
        on(method, path, request -> responses[Math.min(next.getAndIncrement(), responses.length - 1)]);
    }

    /**
     * {@code POST /v1/tokens}: tokens {@code t1}, {@code t2}, ... living {@code expiresIn} seconds, for the
     * application and secret given.
     */
    void issueTokens(String application, String secret, long expiresIn) {
        AtomicInteger issued = new AtomicInteger();
        on("POST", "/v1/tokens", request -> {
            JsonNode login = request.json();
            if (!application.equals(login.path("application").asString())
                    || !secret.equals(login.path("secret").asString())) {
                return Response.problem(401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"wrong secret\"}");
            }
            return Response.json(
                    200,
                    "{\"token\":\"t" + issued.incrementAndGet() + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                            + expiresIn + "}");
        });
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requests(String method, String path) {
        return requests.stream()
                .filter(r -> r.method().equals(method) && r.path().equals(path))
                .toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Request request = new Request(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(),
                    Map.copyOf(exchange.getRequestHeaders()),
                    body);
            requests.add(request);
            Function<Request, Response> route = routes.get(request.method() + " " + request.path());
            Response response = route != null
                    ? route.apply(request)
                    : Response.problem(404, "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no route\"}");
            response.headers()
                    .forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] bytes =
                    response.body() == null ? new byte[0] : response.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
