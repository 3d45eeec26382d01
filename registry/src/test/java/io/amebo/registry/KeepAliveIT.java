package io.amebo.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.testkit.RealInfrastructure;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * One HTTP/1.1 keep-alive connection, as every client with a connection pool uses: an answer given at once (a 404 or
 * a 400 from a route) followed at once by one that comes from the database's thread, a hundred times over. Each must
 * be answered. Reactor Netty used to buffer the next request when it arrived before the previous one was terminated,
 * answer it, and then stop reading the connection, so every few dozen requests one hung (reactor-netty #4361; the
 * platform's {@code KeepAliveFix} avoids that path).
 */
@RealInfrastructure
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class KeepAliveIT {

    private static final int ROUNDS = 100;

    @LocalServerPort
    private int port;

    @Test
    void aKeepAliveConnectionAnswersEveryRequestWhateverTheOneBeforeIt() throws IOException {
        List<String> targets = List.of("/no-such-route", "/v1/applications", "/v1/applications?page=0", "/v1/actions");
        List<Integer> statuses = new ArrayList<>();
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < ROUNDS * targets.size(); i++) {
                String target = targets.get(i % targets.size());
                out.write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + Api.ADMIN + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                try {
                    statuses.add(readResponse(in));
                } catch (SocketTimeoutException e) {
                    throw new AssertionError(
                            "request " + (i + 1) + " (" + target + ") was never answered on the kept-alive connection",
                            e);
                }
            }
        }
        assertThat(statuses).hasSize(ROUNDS * targets.size());
        assertThat(statuses.subList(0, targets.size())).containsExactly(404, 200, 400, 200);
    }

    /** Reads one response (status line, headers, a body of Content-Length bytes) and answers its status. */
    private static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        int length = 0;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            String lower = header.toLowerCase(Locale.ROOT);
            assertThat(lower)
                    .as("answers have a length, so the connection can be kept")
                    .doesNotStartWith("transfer-encoding");
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(
                        header.substring("content-length:".length()).trim());
            }
        }
        in.readNBytes(length);
        return Integer.parseInt(status.substring(9, 12));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection closed");
            }
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }
}
