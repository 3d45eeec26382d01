package io.amebo.standalone;

import io.amebo.platform.auth.SecretCipher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The whole product in this JVM for black-box tests: the standalone on free ports and a temporary data directory,
 * with an admin token and master key the test knows, and a plain HTTP client that sends exactly the bytes it is
 * given.
 */
final class RunningProduct implements AutoCloseable {

    /** An answer: status, content type and body as text. */
    record Answer(int status, String contentType, String body) {}

    final StandaloneApplication.Standalone standalone;
    final String masterKey;
    /** The admin's {@code Authorization} header. */
    final String admin;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    /** The warnings, errors and start announcement printed while this product started. */
    private List<String> startLog = List.of();

    private RunningProduct(StandaloneApplication.Standalone standalone, String masterKey, String adminToken) {
        this.standalone = standalone;
        this.masterKey = masterKey;
        this.admin = "Bearer " + adminToken;
        this.base = "http://localhost:" + standalone.port();
    }

    /** The base URL of the product's one port. */
    String url() {
        return base;
    }

    /** Starts the standalone; {@code args} are its command line ({@code --amebo.auth.secret-grace=2s}, ...). */
    static RunningProduct start(String... args) throws IOException {
        Path data = Files.createTempDirectory("amebo-product");
        String masterKey = SecretCipher.generateKey();
        String adminToken = "test-admin-token-" + System.nanoTime();
        Map<String, String> env = Map.of(
                "AMEBO_DATA_DIR", data.toString(),
                "AMEBO_ADMIN_TOKEN", adminToken,
                "AMEBO_AUTH_MASTER_KEY", masterKey,
                "SERVER_PORT", String.valueOf(freePort()),
                "AMEBO_KAFKA_PORT", String.valueOf(freePort()),
                "AMEBO_KAFKA_CONTROLLER_PORT", String.valueOf(freePort()),
                "AMEBO_POSTGRES_PORT", String.valueOf(freePort()));
        CapturedConsole.install();
        int before = CapturedConsole.lines().size();
        RunningProduct product = new RunningProduct(StandaloneApplication.start(env, args), masterKey, adminToken);
        List<String> printed = CapturedConsole.lines();
        product.startLog = List.copyOf(printed.subList(Math.min(before, printed.size()), printed.size()));
        return product;
    }

    /** What {@link CapturedConsole} kept of this product's start: its warnings, errors and ready line. */
    List<String> startLog() {
        return startLog;
    }

    /** Sends a JSON body (or none). */
    Answer send(String method, String uri, String authorization, String json) {
        return send(
                method,
                uri,
                authorization,
                json == null ? null : "application/json",
                json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends exactly these bytes with this content type (either may be null). */
    Answer send(String method, String uri, String authorization, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + uri))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response =
                    http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(null),
                    response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends a request line the JDK's client refuses to build (bad percent-escapes, raw spaces or control bytes in the
     * target) over a plain socket, and answers the status and content type.
     */
    Answer sendRaw(String method, String rawTarget, String authorization) {
        try (Socket socket = new Socket("localhost", standalone.port())) {
            socket.setSoTimeout(30_000);
            String head = method + " " + rawTarget + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + "Content-Length: 0\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (response.isEmpty()) {
                return new Answer(-1, null, "the connection closed without an answer");
            }
            int status = Integer.parseInt(response.substring(9, 12));
            String contentType = null;
            for (String line : response.split("\r\n")) {
                if (line.isEmpty()) {
                    break;
                }
                if (line.regionMatches(true, 0, "Content-Type:", 0, 13)) {
                    contentType = line.substring(13).trim();
                }
            }
            int bodyAt = response.indexOf("\r\n\r\n");
            return new Answer(status, contentType, bodyAt < 0 ? "" : response.substring(bodyAt + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + rawTarget, e);
        }
    }

    String bootstrapServers() {
        return standalone.kafka().bootstrapServers();
    }

    @Override
    public void close() {
        standalone.close();
    }

    static String basic(String application, String secret) {
        return "Basic "
                + Base64.getEncoder().encodeToString((application + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
