package io.amebo.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amebo.testkit.WebhookReceiver.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookReceiverTest {

    private final WebhookReceiver receiver = WebhookReceiver.start();
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void recordsMethodPathHeadersAndTheRawBody() throws Exception {
        byte[] body = {'{', '"', 'a', '"', ':', ' ', '1', '}', (byte) 0xC3, (byte) 0xA9};

        HttpResponse<String> response = post("/hooks/one?x=1", body, "webhook-id", "abc");

        assertThat(response.statusCode()).isEqualTo(200);
        WebhookReceiver.Received received = receiver.requests().get(0);
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.path()).isEqualTo("/hooks/one");
        assertThat(received.query()).isEqualTo("x=1");
        assertThat(received.header("Webhook-Id")).isEqualTo("abc");
        assertThat(received.body()).isEqualTo(body);
    }

    @Test
    void answersQueuedRepliesOnceEachThenTheDefault() throws Exception {
        receiver.failNext(2, 503).enqueue(Reply.status(429).withHeader("Retry-After", "7"));

        List<Integer> statuses = new ArrayList<>();
        String retryAfter = null;
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = post("/h", new byte[0]);
            statuses.add(response.statusCode());
            if (response.statusCode() == 429) {
                retryAfter = response.headers().firstValue("Retry-After").orElse(null);
            }
        }

        assertThat(statuses).containsExactly(503, 503, 429, 200, 200);
        assertThat(retryAfter).isEqualTo("7");
        assertThat(receiver.count()).isEqualTo(5);
    }

    @Test
    void delaysWithoutHoldingOtherRequests() throws Exception {
        receiver.respondByDefault(Reply.status(204).after(Duration.ofMillis(700)));

        long started = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            inFlight.add(client.sendAsync(request("/slow", new byte[0]), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            assertThat(f.get().statusCode()).isEqualTo(204);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        // eight delayed replies ran side by side: one delay, not eight
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(700)).isLessThan(Duration.ofMillis(700 * 4));
    }

    @Test
    void dropsTheConnectionWithoutAnswering() {
        receiver.enqueue(Reply.dropConnection());

        assertThatThrownBy(() -> post("/drop", new byte[] {'x'})).isInstanceOf(IOException.class);
        assertThat(receiver.count()).isEqualTo(1);
    }

    private HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
        return client.send(request(path, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, byte[] body, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(receiver.url(path)))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder.build();
    }
}
