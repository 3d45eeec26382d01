package io.amebo.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.dispatcher.core.DeliveryOutcome;
import io.amebo.testkit.WebhookReceiver;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The webhook client checks what a handler's name resolves to where it resolves it, once, and connects to what it
 * checked (DESIGN §5, Safety), against a real local receiver and a scripted name lookup.
 */
class GuardedResolverGroupTest {

    private static final WebhookReceiver receiver = WebhookReceiver.start();
    private static final LoopResources loops = LoopResources.create("guarded-test", 1, true);
    private final ConnectionProvider pool = ConnectionProvider.newConnection();

    @BeforeEach
    void forget() {
        receiver.reset();
    }

    @AfterAll
    static void close() {
        receiver.close();
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(5));
    }

    private WebhookSender sender(GuardedResolverGroup.Lookup lookup, boolean allowLoopback) {
        HttpClient http = HttpClient.create(pool)
                .runOn(loops)
                .resolver(new GuardedResolverGroup(lookup, allowLoopback, false))
                .followRedirect(false);
        WebClient client = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(http))
                .build();
        return new WebhookSender(client, Duration.ofSeconds(5), false, allowLoopback, () -> {});
    }

    private DeliveryOutcome send(WebhookSender sender, String url) {
        return sender.send(url, Map.of(), "{}".getBytes()).block(Duration.ofSeconds(20));
    }

    @Test
    void connectsToTheAddressItCheckedWithOneLookupAndKeepsTheHostName() {
        AtomicInteger lookups = new AtomicInteger();
        WebhookSender sender = sender(
                host -> {
                    lookups.incrementAndGet();
                    return new InetAddress[] {InetAddress.getLoopbackAddress()};
                },
                true);

        DeliveryOutcome outcome = send(sender, "http://handler.example:" + receiver.port() + "/hook");

        assertThat(outcome).isEqualTo(new DeliveryOutcome.Delivered(200, "{}"));
        assertThat(lookups).hasValue(1);
        assertThat(receiver.requests().get(0).header("Host")).isEqualTo("handler.example:" + receiver.port());
    }

    @Test
    void refusesANameThatResolvesToALoopbackAddressAndNeverConnects() {
        WebhookSender sender = sender(host -> new InetAddress[] {InetAddress.getLoopbackAddress()}, false);

        DeliveryOutcome outcome = send(sender, "http://rebound.example:" + receiver.port() + "/hook");

        assertThat(outcome)
                .isInstanceOfSatisfying(
                        DeliveryOutcome.Refused.class,
                        refused -> assertThat(refused.reason())
                                .contains("rebound.example")
                                .doesNotContain("127.0.0.1"));
        assertThat(receiver.count()).isZero();
    }

    @Test
    void refusesAllAddressesOfANameWhenOneOfThemMayNotBeCalled() throws Exception {
        InetAddress metadata = InetAddress.getByName("169.254.169.254");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        WebhookSender sender = sender(host -> new InetAddress[] {loopback, metadata}, true);

        DeliveryOutcome outcome = send(sender, "http://mixed.example:" + receiver.port() + "/hook");

        assertThat(outcome).isInstanceOf(DeliveryOutcome.Refused.class);
        assertThat(receiver.count()).isZero();
    }

    @Test
    void refusesReservedLiteralsWhateverIsAllowed() {
        WebhookSender sender = new WebhookSender(WebClient.create(), Duration.ofSeconds(5), true, true, () -> {});

        for (String url : new String[] {
            "http://169.254.169.254/latest/meta-data",
            "http://0.0.0.0:8080/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://198.18.0.1/",
            "http://[::ffff:169.254.169.254]/"
        }) {
            assertThat(send(sender, url)).as(url).isInstanceOf(DeliveryOutcome.Refused.class);
        }
    }

    @Test
    void aFailedConnectionIsDescribedWithoutItsAddress() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        WebhookSender sender = sender(host -> new InetAddress[] {InetAddress.getLoopbackAddress()}, true);

        DeliveryOutcome outcome = send(sender, "http://closed.example:" + closed + "/hook");

        assertThat(outcome)
                .isInstanceOfSatisfying(
                        DeliveryOutcome.Failed.class,
                        failed -> assertThat(failed.error()).isEqualTo("connection error: the connection was refused"));
    }
}
