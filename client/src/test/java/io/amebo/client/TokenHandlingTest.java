package io.amebo.client;

import static io.amebo.client.FakeAmebo.Response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenHandlingTest {

    private static final String EVENT = "{\"id\":\"AQAB\",\"action\":\"user.created\",\"payload\":{}}";

    private FakeAmebo amebo;
    private final TestClients clients = new TestClients();

    @BeforeEach
    void start() throws Exception {
        amebo = new FakeAmebo();
        amebo.answer("GET", "/v1/events/AQAB", Response.json(200, EVENT));
    }

    @AfterEach
    void stop() {
        amebo.close();
    }

    @Test
    void fetchesATokenWithTheSecretOnTheFirstCallAndReusesIt() {
        AmeboClient client = clients.application(amebo);
        assertThat(amebo.requests()).isEmpty(); // nothing is fetched before the first call

        client.getEvent("AQAB");
        client.getEvent("AQAB");

        List<FakeAmebo.Request> logins = amebo.requests("POST", "/v1/tokens");
        assertThat(logins).hasSize(1);
        assertThat(logins.get(0).json().path("application").asString()).isEqualTo("user-service");
        assertThat(logins.get(0).json().path("secret").asString()).isEqualTo("user-service-secret");
        assertThat(amebo.requests("GET", "/v1/events/AQAB"))
                .extracting(r -> r.header("Authorization"))
                .containsExactly("Bearer t1", "Bearer t1");
    }

    @Test
    void replacesTheTokenWhenLessThanAMinuteOfItsHourIsLeft() {
        AmeboClient client = clients.application(amebo);
        client.getEvent("AQAB");

        clients.clock.advance(Duration.ofSeconds(3600 - 61)); // 61 s left: still good
        client.getEvent("AQAB");
        assertThat(amebo.requests("POST", "/v1/tokens")).hasSize(1);

        clients.clock.advance(Duration.ofSeconds(2)); // 59 s left: replaced before it expires
        client.getEvent("AQAB");

        assertThat(amebo.requests("POST", "/v1/tokens")).hasSize(2);
        assertThat(amebo.requests("GET", "/v1/events/AQAB"))
                .extracting(r -> r.header("Authorization"))
                .containsExactly("Bearer t1", "Bearer t1", "Bearer t2");
    }

    @Test
    void replacesAShortLivedTokenWhenATenthOfItsLifeIsLeft() {
        amebo.issueTokens(TestClients.APP, TestClients.SECRET, 100);
        AmeboClient client = clients.builder(amebo).build();
        client.getEvent("AQAB");

        clients.clock.advance(Duration.ofSeconds(89)); // 11 s of 100 left
        client.getEvent("AQAB");
        clients.clock.advance(Duration.ofSeconds(2)); // 9 s left
        client.getEvent("AQAB");

        assertThat(amebo.requests("POST", "/v1/tokens")).hasSize(2);
    }

    @Test
    void fetchesAFreshTokenOnceWhenAmeboRefusesTheCurrentOne() {
        AmeboClient client = clients.application(amebo);
        // the secret was rotated meanwhile: tokens minted before (t1) no longer work
        amebo.on(
                "GET",
                "/v1/events/AQAB",
                request -> "Bearer t1".equals(request.header("Authorization"))
                        ? Response.problem(401, "{\"title\":\"Unauthorized\",\"status\":401}")
                        : Response.json(200, EVENT));

        Event event = client.getEvent("AQAB");

        assertThat(event.id()).isEqualTo("AQAB");
        assertThat(amebo.requests("POST", "/v1/tokens")).hasSize(2);
        assertThat(amebo.requests("GET", "/v1/events/AQAB"))
                .extracting(r -> r.header("Authorization"))
                .containsExactly("Bearer t1", "Bearer t2");
        assertThat(clients.sleeps).isEmpty(); // a refused token is replaced at once
    }

    @Test
    void givesUpWhenTheFreshTokenIsRefusedToo() {
        AmeboClient client = clients.application(amebo);
        amebo.answer(
                "GET",
                "/v1/events/AQAB",
                Response.problem(401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"deleted\"}"));

        assertThatThrownBy(() -> client.getEvent("AQAB"))
                .isInstanceOfSatisfying(
                        AmeboApiException.class,
                        e -> assertThat(e.isUnauthorized()).isTrue());
        assertThat(amebo.requests("GET", "/v1/events/AQAB")).hasSize(2);
        assertThat(amebo.requests("POST", "/v1/tokens")).hasSize(2);
    }

    @Test
    void aWrongSecretFailsTheCallWithTheTokenEndpointsAnswer() {
        amebo.issueTokens(TestClients.APP, "another-secret-entirely", 3600);
        AmeboClient client = clients.builder(amebo).build();

        assertThatThrownBy(() -> client.getEvent("AQAB"))
                .isInstanceOf(AmeboApiException.class)
                .hasMessageContaining("POST /v1/tokens")
                .hasMessageContaining("wrong secret");
        assertThat(amebo.requests("GET", "/v1/events/AQAB")).isEmpty();
    }

    @Test
    void sendsTheAdminTokenAsItIsAndDoesNotRetryItsRefusal() {
        AmeboClient admin = AmeboClient.builder()
                .baseUrl(amebo.url())
                .adminToken("admin-token")
                .build();
        admin.getEvent("AQAB");
        amebo.answer("GET", "/v1/events/AQAB", Response.problem(401, "{\"status\":401}"));

        assertThatThrownBy(() -> admin.getEvent("AQAB")).isInstanceOf(AmeboApiException.class);
        assertThat(amebo.requests("GET", "/v1/events/AQAB"))
                .extracting(r -> r.header("Authorization"))
                .containsExactly("Bearer admin-token", "Bearer admin-token");
        assertThat(amebo.requests("POST", "/v1/tokens")).isEmpty();
    }

    @Test
    void concurrentFirstCallsShareOneTokenRequest() throws Exception {
        amebo.on("POST", "/v1/tokens", request -> {
            sleepQuietly(300); // long enough for every other caller to arrive and wait
            return Response.json(200, "{\"token\":\"only\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
        });
        AmeboClient client = clients.builder(amebo).build();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<Event>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(callers.submit(() -> client.getEvent("AQAB")));
            }
            for (Future<Event> call : calls) {
                assertThat(call.get().id()).isEqualTo("AQAB");
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(amebo.requests("POST", "/v1/tokens")).hasSize(1);
        assertThat(amebo.requests("GET", "/v1/events/AQAB"))
                .extracting(r -> r.header("Authorization"))
                .containsOnly("Bearer only");
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
