package io.amebo.client;

import static io.amebo.client.FakeAmebo.Response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amebo.contract.Problem;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetriesAndErrorsTest {

    private static final String EVENT = "{\"id\":\"AQAB\",\"action\":\"user.created\",\"payload\":{}}";
    private static final String PATH = "/v1/events/AQAB";

    private FakeAmebo amebo;
    private final TestClients clients = new TestClients();
    private AmeboClient client;

    @BeforeEach
    void start() throws Exception {
        amebo = new FakeAmebo();
        client = clients.application(amebo);
    }

    @AfterEach
    void stop() {
        amebo.close();
    }

    @Test
    void aReadIsSentAgainAfterA503AsRetryAfterSays() {
        amebo.answer(
                "GET",
                PATH,
                Response.problem(503, "{\"status\":503}").with("Retry-After", "3"),
                Response.json(200, EVENT));

        assertThat(client.getEvent("AQAB").id()).isEqualTo("AQAB");
        assertThat(amebo.requests("GET", PATH)).hasSize(2);
        assertThat(clients.sleeps).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void aReadIsSentAgainAfterA429UntilTheDateRetryAfterGives() {
        amebo.answer(
                "GET",
                PATH,
                Response.problem(429, "{\"status\":429}").with("Retry-After", "Sun, 01 Mar 2026 12:00:12 GMT"),
                Response.json(200, EVENT));

        client.getEvent("AQAB");

        assertThat(clients.sleeps).containsExactly(Duration.ofSeconds(12)); // the clock says 12:00:00
    }

    @Test
    void aReadBacksOffWhenTheServerGivesNoRetryAfterAndStopsAfterThreeAttempts() {
        amebo.answer("GET", PATH, Response.problem(503, "{\"status\":503,\"detail\":\"busy\"}"));

        assertThatThrownBy(() -> client.getEvent("AQAB")).isInstanceOfSatisfying(AmeboApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.retryAfter()).isEmpty();
        });
        assertThat(amebo.requests("GET", PATH)).hasSize(3);
        assertThat(clients.sleeps).containsExactly(Duration.ofMillis(500), Duration.ofMillis(1000));
    }

    @Test
    void maxAttemptsOfOneMeansNoRetry() {
        AmeboClient once = clients.builder(amebo).maxAttempts(1).build();
        amebo.answer("GET", PATH, Response.problem(503, "{\"status\":503}").with("Retry-After", "1"));

        assertThatThrownBy(() -> once.getEvent("AQAB")).isInstanceOf(AmeboApiException.class);
        assertThat(amebo.requests("GET", PATH)).hasSize(1);
    }

    @Test
    void aRetryAfterBeyondTheCapIsNotWaitedForButReported() {
        amebo.answer(
                "GET",
                PATH,
                Response.problem(429, "{\"status\":429}").with("Retry-After", "3600"),
                Response.json(200, EVENT));

        assertThatThrownBy(() -> client.getEvent("AQAB")).isInstanceOfSatisfying(AmeboApiException.class, e -> {
            assertThat(e.isRateLimited()).isTrue();
            assertThat(e.retryAfter()).contains(Duration.ofHours(1));
        });
        assertThat(clients.sleeps).isEmpty();
    }

    @Test
    void reallyWaitsBeforeARetryWithTheDefaultSleeper() {
        AmeboClient real =
                AmeboClient.builder().baseUrl(amebo.url()).adminToken("admin").build();
        amebo.answer(
                "GET",
                PATH,
                Response.problem(503, "{\"status\":503}").with("Retry-After", "1"),
                Response.json(200, EVENT));

        long started = System.nanoTime();
        real.getEvent("AQAB");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(amebo.requests("GET", PATH)).hasSize(2);
    }

    @Test
    void aRegistrationIsSentAgainAfterA429ButNotAfterA503() {
        String created = "{\"application\":\"email-service\",\"address\":\"https://email\",\"secret\":\"s\"}";
        amebo.answer(
                "POST",
                "/v1/applications",
                Response.problem(429, "{\"status\":429}").with("Retry-After", "1"),
                Response.json(201, created));
        assertThat(client.applications()
                        .create("email-service", "https://email")
                        .secret())
                .isEqualTo("s");
        assertThat(amebo.requests("POST", "/v1/applications")).hasSize(2);

        amebo.answer(
                "POST",
                "/v1/applications",
                Response.problem(503, "{\"status\":503}").with("Retry-After", "1"),
                Response.json(201, created));
        assertThatThrownBy(() -> client.applications().create("email-service", "https://email"))
                .isInstanceOf(AmeboApiException.class);
        assertThat(amebo.requests("POST", "/v1/applications")).hasSize(3);
    }

    @Test
    void carriesTheProblemAmeboSentIntoTheException() {
        amebo.answer("POST", "/v1/events", Response.problem(422, """
                        {"type":"https://amebo.io/problems/invalid-payload","title":"Unprocessable Content","status":422,
                         "detail":"the payload does not match the schema of user.created",
                         "instance":"/v1/events","error":"the payload does not match the schema of user.created",
                         "errors":[{"pointer":"/payload/user_id","message":"must be a string"},
                                   {"pointer":"/payload","message":"required property 'name' not found"}]}"""));

        assertThatThrownBy(() -> client.publishEvent("user.created", Map.of("user_id", 7)))
                .isInstanceOfSatisfying(AmeboApiException.class, e -> {
                    Problem problem = e.problem();
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(problem.type()).isEqualTo("https://amebo.io/problems/invalid-payload");
                    assertThat(problem.title()).isEqualTo("Unprocessable Content");
                    assertThat(problem.detail()).isEqualTo("the payload does not match the schema of user.created");
                    assertThat(problem.error()).isEqualTo(problem.detail());
                    assertThat(problem.instance()).isEqualTo("/v1/events");
                    assertThat(problem.errors())
                            .containsExactly(
                                    new Problem.FieldError("/payload/user_id", "must be a string"),
                                    new Problem.FieldError("/payload", "required property 'name' not found"));
                    assertThat(e.getMessage())
                            .startsWith("POST /v1/events → 422 Unprocessable Content")
                            .contains("/payload/user_id must be a string");
                });
    }

    @Test
    void completesAProblemThatOnlyHasAmebosErrorMember() {
        amebo.answer("GET", PATH, Response.json(409, "{\"error\":\"a publish with this deduper is in progress\"}"));

        assertThatThrownBy(() -> client.getEvent("AQAB")).isInstanceOfSatisfying(AmeboApiException.class, e -> {
            assertThat(e.isConflict()).isTrue();
            assertThat(e.problem().type()).isEqualTo(Problem.ABOUT_BLANK);
            assertThat(e.problem().title()).isEqualTo("Conflict");
            assertThat(e.problem().detail()).isEqualTo("a publish with this deduper is in progress");
        });
    }

    @Test
    void summarisesAnAnswerThatIsNoProblemAtAll() {
        amebo.answer(
                "GET", PATH, new Response(502, Map.of("Content-Type", "text/html"), "<html>upstream is down</html>"));

        assertThatThrownBy(() -> client.getEvent("AQAB")).isInstanceOfSatisfying(AmeboApiException.class, e -> {
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.problem().title()).isEqualTo("Bad Gateway");
            assertThat(e.problem().detail()).contains("<html>upstream is down</html>");
        });
    }

    @Test
    void aNotFoundIsAnApiExceptionThatSaysSo() {
        assertThatThrownBy(() -> client.getEvent("nope"))
                .isInstanceOfSatisfying(
                        AmeboApiException.class, e -> assertThat(e.isNotFound()).isTrue());
    }

    @Test
    void noAnswerIsATransportException() {
        AmeboClient nowhere = AmeboClient.builder()
                .baseUrl("http://127.0.0.1:1")
                .adminToken("admin")
                .build();

        assertThatThrownBy(() -> nowhere.getEvent("AQAB"))
                .isInstanceOf(AmeboTransportException.class)
                .isInstanceOf(AmeboException.class)
                .hasMessageContaining("GET /v1/events/AQAB");
    }

    @Test
    void aRedirectIsNotFollowed() {
        amebo.answer("GET", PATH, new Response(302, Map.of("Location", "http://elsewhere.example/"), null));

        assertThatThrownBy(() -> client.getEvent("AQAB"))
                .isInstanceOf(AmeboTransportException.class)
                .hasMessageContaining("302");
    }

    @Test
    void aBaseUrlWithAPathPrefixKeepsIt() {
        amebo.issueTokens(TestClients.APP, TestClients.SECRET, 3600);
        amebo.answer("GET", "/amebo/v1/events/AQAB", Response.json(200, EVENT));
        AmeboClient prefixed = clients.builder(amebo)
                .baseUrl(amebo.url() + "/amebo")
                .registryUrl(amebo.url())
                .build();

        assertThat(prefixed.getEvent("AQAB").id()).isEqualTo("AQAB");
        assertThat(amebo.requests("POST", "/v1/tokens")).hasSize(1);
    }

    @Test
    void aTimeIsSentAsIsoUtc() {
        amebo.answer("GET", "/v1/events", Response.json(200, "[]"));

        client.getEvents("user.created", Instant.parse("2026-01-01T00:00:00.250Z"), null)
                .toList();

        assertThat(amebo.requests("GET", "/v1/events").get(0).param("from")).isEqualTo("2026-01-01T00:00:00.250Z");
    }
}
