package io.amebo.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amebo.contract.EventId;
import io.amebo.standalone.ProductHttp.Answer;
import io.amebo.testkit.WebhookReceiver;
import io.amebo.testkit.WebhookReceiver.Received;
import io.amebo.testkit.WebhookReceiver.Reply;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's promises, walked section by section against the real running product: over HTTP, and over Kafka
 * where the README promises something of Kafka itself. One {@code @Nested} class per README section, named by its
 * exact heading; one test per promise, named by the sentence it checks (quoted, or closely paraphrased with "..."
 * where words are left out and "[...]" where words are added). A section whose promises are held by other suites is
 * listed in {@link ReadmeSectionsTest#ELSEWHERE} instead or as well, and that test fails for a heading with neither.
 *
 * <p>Every test shares one standalone (started for this class) and one recording webhook receiver (one
 * request path per subscription), and registers uniquely named applications, actions and subscriptions of its own.
 * Promises that take many seconds to show (long retry schedules, breakers, restarts) are left to the suites the map
 * names.
 */
@DisplayName("README.md, section by section")
class ReadmePromisesIT {

    static final JsonMapper JSON = JsonMapper.builder().build();
    /** How long a delivery, a registry change reaching the other services or a gist may take to show. */
    static final Duration SOON = Duration.ofSeconds(30);
    /** The walkthrough's {@code user.created} schema, as the README writes it. */
    static final String USER_SCHEMA = """
            {"type": "object",
             "properties": {"user_id": {"type": "string"}, "email": {"type": "string", "format": "email"},
                            "name": {"type": "string"}, "plan": {"type": "string", "enum": ["free", "premium"]}},
             "required": ["user_id", "email", "name"]}""";

    static final String ANY_OBJECT = "{\"type\": \"object\"}";

    private static final String RUN = Long.toString(System.currentTimeMillis() % 2_000_000_000L, 36);
    private static final AtomicInteger NAMES = new AtomicInteger();
    /** The receiver's answers, by request path (one path per subscription); 200 for any other path. */
    private static final Map<String, Function<Received, Reply>> REPLIES = new ConcurrentHashMap<>();

    static RunningProduct product;
    static ProductHttp http;
    static WebhookReceiver receiver;

    @BeforeAll
    static void startTheProduct() throws Exception {
        product = RunningProduct.start(); // on a fresh data directory: its start is a first start
        http = new ProductHttp(product.url());
        receiver = WebhookReceiver.start();
        receiver.respondByDefault(request ->
                REPLIES.getOrDefault(request.path(), r -> Reply.status(200)).apply(request));
    }

    @AfterAll
    static void stopTheReceiver() {
        receiver.close();
        product.close();
    }

    @Nested
    @DisplayName("The two commands")
    class TheTwoCommands {

        @Test
        @DisplayName("registry, gateway and dispatcher on port 3310 (`SERVER_PORT`: the one HTTP port)")
        void theRegistryTheGatewayAndTheDispatcherAnswerOnTheOnePort() {
            assertThat(http.get("/v1/applications", product.admin).status()).isEqualTo(200);
            assertThat(http.get("/v1/events?from=" + Instant.now(), product.admin)
                            .status())
                    .isEqualTo(200);
            assertThat(http.get("/v1/gists", product.admin).status()).isEqualTo(200);
        }

        @Test
        @DisplayName("The first start prints where Amebo listens ..., once")
        void theFirstStartPrintsWhereAmeboListensOnce() {
            assertThat(product.startLog())
                    .filteredOn(line -> line.trim().equals("Amebo is ready at " + product.url()))
                    .hasSize(1);
        }

        @Test
        @DisplayName("The first start prints where Amebo listens [and no warning that a topic does not exist yet:"
                + " UNKNOWN_TOPIC_OR_PARTITION]")
        void theFirstStartWarnsOfNoTopicThatIsNotThereYet() {
            assertThat(product.startLog()).noneMatch(line -> line.contains("UNKNOWN_TOPIC_OR_PARTITION"));
        }
    }

    @Nested
    @DisplayName("A walkthrough: the microservices example")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class Walkthrough {

        // the README's names with a suffix (every test of this class shares the product), and its secrets as written
        final String userService = unique("user-service");
        final String emailService = unique("email-service");
        final String userCreated = unique("user.created");
        final String welcomeEmails = unique("welcome-emails");
        final String users = RunningProduct.basic(userService, "user-service-secret");
        // the handler's address has a path of its own, so that the handler path stays the README's
        final String emailAddress = "http://localhost:" + receiver.port() + "/" + emailService;
        final String handlerPath = "/" + emailService + "/webhooks/user-created";
        final List<String> published = new ArrayList<>();

        @BeforeAll
        void theHandlerAnswers204AsTheExamplesDoes() {
            REPLIES.put(handlerPath, request -> Reply.status(204));
        }

        @Test
        @Order(1)
        @DisplayName("Only the admin registers applications")
        void onlyTheAdminRegistersApplications() {
            expect(post("/v1/applications", product.admin, """
                    {"application": "%s", "address": "https://users.myapp.com", "secret": "user-service-secret"}""", userService), 201);
            expect(post("/v1/applications", product.admin, """
                    {"application": "%s", "address": "%s", "secret": "email-service-secret"}""", emailService, emailAddress), 201);
            Answer byAnApplication = post("/v1/applications", users, """
                    {"application": "%s", "address": "https://intruder.example.com"}""", unique("intruder"));
            assertThat(byAnApplication.status()).isEqualTo(403);
        }

        @Test
        @Order(2)
        @DisplayName("an application registers its own actions ..., with HTTP Basic (`application:secret`)")
        void anApplicationRegistersItsOwnActionWithBasic() {
            expect(post("/v1/actions", users, """
                    {"action": "%s", "application": "%s", "schemata": %s}""", userCreated, userService, USER_SCHEMA), 201);
        }

        @Test
        @Order(3)
        @DisplayName("an application ... subscribes itself, with ... a bearer token from `POST /v1/tokens`;"
                + " the standalone allows handlers on loopback addresses")
        void anApplicationSubscribesItselfWithABearerToken() {
            String token = expect(post("/v1/tokens", null, """
                    {"application": "%s", "secret": "email-service-secret"}""", emailService), 200)
                    .json()
                    .path("token")
                    .asString();
            Answer created =
                    post("/v1/subscriptions", "Bearer " + token, """
                    {"application": "%s", "subscription": "%s", "action": "%s",
                     "handler": "/webhooks/user-created"}""", emailService, welcomeEmails, userCreated);
            expect(created, 201);
            assertThat(created.json().path("endpoint").asString()).isEqualTo(emailAddress + "/webhooks/user-created");
        }

        @Test
        @Order(4)
        @DisplayName("publish: 201 after Kafka acknowledged it; the handler gets a signed POST")
        void aPublishIsAnsweredAndTheHandlerGetsASignedPost() throws Exception {
            Answer answer = post("/v1/events", users, """
                    {"action": "%s",
                     "payload": {"user_id": "u1", "email": "ada@example.com", "name": "Ada", "plan": "premium"}}""", userCreated);
            expect(answer, 201);
            published.add(id(answer.json()));

            Received delivery = awaitRequest(handlerPath, id(answer.json()));
            assertThat(delivery.method()).isEqualTo("POST");
            assertThat(delivery.header("webhook-signature"))
                    .isEqualTo(standardSignature(utf8("email-service-secret"), delivery));
        }

        @Test
        @Order(6)
        @DisplayName("what happened to it: `GET /v1/gists?subscription=welcome-emails`")
        void theGistsSayWhatHappened() {
            for (String id : published) {
                JsonNode gist = awaitGist(product.admin, welcomeEmails, id, "delivered");
                assertThat(gist.path("attempts").asInt()).isEqualTo(1);
                assertThat(gist.path("last_status").asInt()).isEqualTo(204);
            }
        }

        @Test
        @Order(7)
        @DisplayName("what happened to it: `GET /v1/events?action=user.created&from=2026-01-01T00:00:00Z`")
        void theEventsAreReadBackByTimeRange() {
            JsonNode events = expect(
                            http.get("/v1/events?action=" + userCreated + "&from=2026-01-01T00:00:00Z", users), 200)
                    .json();
            assertThat(ids(events)).containsExactlyElementsOf(published);
            assertThat(events.get(0).path("payload").path("email").asString()).isEqualTo("ada@example.com");
        }
    }

    @Nested
    @DisplayName("The registry")
    class TheRegistry {

        @Test
        @DisplayName("The registry creates the compacted `amebo.registry` topic")
        void theChangelogTopicIsCompacted() throws Exception {
            assertThat(topicConfig("amebo.registry").get("cleanup.policy").value())
                    .contains("compact");
        }

        @Test
        @DisplayName("... and one topic per action (Kafka's topic auto-creation can stay off)")
        void everyActionGetsItsTopicWithAutoCreationOff() throws Exception {
            try (Admin admin = admin()) {
                Config broker = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER, "1")))
                        .all()
                        .get()
                        .values()
                        .iterator()
                        .next();
                assertThat(broker.get("auto.create.topics.enable").value()).isEqualTo("false");
            }
            String action = action(application("topic-owner"), "topic.per.action", ANY_OBJECT);
            assertThat(partitions("amebo." + action)).isEqualTo(3);
        }
    }

    @Nested
    @DisplayName("Registrations against the registry on its own")
    class Registrations {

        @Test
        @DisplayName("`POST /v1/applications` → 201"
                + " {\"application\",\"address\",\"timestamped\",\"secret\":\"user-service-secret\"}")
        void anApplicationIsAnsweredWithItsRecordAndTheSecret() {
            String name = unique("user-service");
            JsonNode body = expect(post("/v1/applications", product.admin, """
                    {"application": "%s", "address": "https://users.myapp.com", "secret": "user-service-secret"}""", name), 201)
                    .json();
            assertThat(names(body)).containsExactly("application", "address", "timestamped", "secret");
            assertThat(body.path("application").asString()).isEqualTo(name);
            assertThat(body.path("address").asString()).isEqualTo("https://users.myapp.com");
            assertThat(Instant.parse(body.path("timestamped").asString())).isBefore(Instant.now());
            assertThat(body.path("secret").asString()).isEqualTo("user-service-secret");
        }

        @Test
        @DisplayName("the secret is shown this once")
        void theSecretIsNeverShownAgain() {
            App app = application("shown-once");
            for (String authorization : List.of(product.admin, app.basic())) {
                for (String path :
                        List.of("/v1/applications/" + app.name(), "/v1/applications?application=" + app.name())) {
                    Answer answer = expect(http.get(path, authorization), 200);
                    assertThat(answer.body()).doesNotContain(app.secret()).doesNotContain("\"secret\"");
                }
            }
        }

        @Test
        @DisplayName("leave it out and Amebo generates a whsec_... secret")
        void aSecretLeftOutIsGeneratedInTheStandardWebhooksForm() {
            App app = applicationWithGeneratedSecret("generated");
            assertThat(app.secret()).matches("whsec_[A-Za-z0-9+/]+=*");
            assertThat(whsecKey(app.secret())).hasSizeGreaterThanOrEqualTo(24);
            assertThat(http.get("/v1/applications/" + app.name(), app.basic()).status())
                    .isEqualTo(200);
        }

        @Test
        @DisplayName("`POST /v1/actions` → 201 {\"action\":\"user.created\",...,\"version\":1,"
                + "\"topic\":\"amebo.user.created\",\"partitions\":3,...}")
        void anActionIsAnsweredWithItsVersionTopicAndPartitions() {
            App owner = application("user-service");
            String name = unique("user.created");
            JsonNode body = expect(post("/v1/actions", owner.basic(), """
                    {"action": "%s", "application": "%s", "schemata": %s}""", name, owner.name(), USER_SCHEMA), 201)
                    .json();
            assertThat(body.path("action").asString()).isEqualTo(name);
            assertThat(body.path("version").asInt()).isEqualTo(1);
            assertThat(body.path("topic").asString()).isEqualTo("amebo." + name);
            assertThat(body.path("partitions").asInt()).isEqualTo(3);
        }

        @Test
        @DisplayName("`POST /v1/subscriptions` → 201 {\"subscription\":\"welcome-emails\",...,"
                + "\"endpoint\":\"https://email.myapp.com/webhooks/user-created\",\"max_retries\":5,"
                + "\"status\":\"active\"}")
        void aSubscriptionIsAnsweredWithItsEndpointRetriesAndStatus() {
            String action = action(application("user-service"), "user.created", USER_SCHEMA);
            App subscriber = application("email-service", "https://email.myapp.com");
            String name = unique("welcome-emails");
            JsonNode body = expect(
                            post("/v1/subscriptions", subscriber.basic(), """
                    {"application": "%s", "subscription": "%s", "action": "%s",
                     "handler": "https://email.myapp.com/webhooks/user-created"}""", subscriber.name(), name, action), 201)
                    .json();
            assertThat(body.path("subscription").asString()).isEqualTo(name);
            assertThat(body.path("endpoint").asString()).isEqualTo("https://email.myapp.com/webhooks/user-created");
            assertThat(body.path("max_retries").asInt()).isEqualTo(5);
            assertThat(body.path("status").asString()).isEqualTo("active");
        }

        @Test
        @DisplayName("`POST /v1/tokens` → 200 {\"token\":\"eyJ...\",\"token_type\":\"Bearer\",\"expires_in\":3600}")
        void aTokenIsABearerTokenForAnHour() {
            App app = application("user-service");
            JsonNode body = expect(post("/v1/tokens", null, """
                    {"application": "%s", "secret": "%s"}""", app.name(), app.secret()), 200)
                    .json();
            assertThat(body.path("token").asString()).startsWith("eyJ");
            assertThat(body.path("token_type").asString()).isEqualTo("Bearer");
            assertThat(body.path("expires_in").asInt()).isEqualTo(3600);
        }
    }

    @Nested
    @DisplayName("Publishing")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Publishing {

        App publisher;
        String userCreated;

        @BeforeAll
        void registerThePublisher() {
            publisher = application("user-service");
            userCreated = action(publisher, "user.created", USER_SCHEMA);
        }

        @Test
        @DisplayName("201 {\"id\",\"action\",\"timestamped\",\"partition\",\"offset\",\"deduper\"}")
        void aPublishIsAnsweredWithWhereTheEventLives() {
            String deduper = unique("user-u1-created");
            JsonNode body = publish(publisher, userCreated, user("u1"), "\"deduper\": \"" + deduper + "\"");
            assertThat(names(body)).containsExactly("id", "action", "timestamped", "partition", "offset", "deduper");
            assertThat(body.path("action").asString()).isEqualTo(userCreated);
            assertThat(body.path("deduper").asString()).isEqualTo(deduper);
            assertThat(body.path("partition").asInt()).isBetween(0, 2);
            assertThat(body.path("offset").asLong()).isNotNegative();
        }

        @Test
        @DisplayName("the same deduper again ... within 24 h: 200 with the same id, nothing appended")
        void theSameDeduperAgainIsAnsweredWithTheFirstIdAndAppendsNothing() {
            String deduper = "\"deduper\": \"" + unique("user-u2-created") + "\"";
            JsonNode first = publish(publisher, userCreated, user("u2"), deduper);
            Answer again = publishAs(publisher, userCreated, user("u2"), deduper);
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.json()).isEqualTo(first);
            JsonNode appended = expect(
                            http.get(
                                    "/v1/events?action=" + userCreated + "&from=" + time(first) + "&deduper="
                                            + first.path("deduper").asString(),
                                    publisher.basic()),
                            200)
                    .json();
            assertThat(ids(appended)).containsExactly(id(first));
        }

        @Test
        @DisplayName("422 {\"title\":\"Unprocessable Content\",\"status\":422,\"error\":\"the payload does not match"
                + " ...\",\"errors\":[{\"pointer\":\"/payload/user_id\",...},{\"pointer\":\"/payload/email\",...},"
                + "{\"pointer\":\"/payload\",\"message\":\"required property 'name' not found\"}]}")
        void anInvalidPayloadIsAnswered422NamingEveryViolation() {
            Answer refused = publishAs(publisher, userCreated, "{\"user_id\": 7, \"email\": \"nope\"}");
            assertThat(refused.status()).isEqualTo(422);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            JsonNode body = refused.json();
            assertThat(body.path("title").asString()).isEqualTo("Unprocessable Content");
            assertThat(body.path("status").asInt()).isEqualTo(422);
            assertThat(body.path("error").asString()).startsWith("the payload does not match");
            assertThat(pointers(body)).containsExactlyInAnyOrder("/payload/user_id", "/payload/email", "/payload");
            assertThat(body.path("errors"))
                    .anySatisfy(error -> assertThat(error.path("message").asString())
                            .isEqualTo("required property 'name' not found"));
        }

        @Test
        @DisplayName("`GET /v1/events?action=user.created&from=...&limit=50`: the events, in time order")
        void eventsAreReadByActionAndTimeInTimeOrder() {
            List<String> sent = new ArrayList<>();
            Instant from = null;
            for (String user : List.of("t1", "t2", "t3")) {
                JsonNode event = publish(publisher, userCreated, user(user));
                sent.add(id(event));
                from = from == null ? time(event) : from;
            }
            JsonNode read = expect(
                            http.get(
                                    "/v1/events?action=" + userCreated + "&from=" + from + "&limit=50",
                                    publisher.basic()),
                            200)
                    .json();
            assertThat(ids(read)).containsAll(sent);
            assertThat(times(read)).isSorted();
        }

        @Test
        @DisplayName("`GET /v1/events?from=...&to=...` [without `action`]: every action it may read")
        void withoutAnActionEveryActionTheCallerMayReadIsRead() {
            String second = action(publisher, "order.placed", ANY_OBJECT);
            App stranger = application("stranger");
            String strangers = action(stranger, "not.yours", ANY_OBJECT);
            JsonNode mine = publish(publisher, userCreated, user("w1"));
            JsonNode alsoMine = publish(publisher, second, "{}");
            JsonNode notMine = publish(stranger, strangers, "{}");
            String window = "from=" + time(mine) + "&to=" + time(notMine).plusMillis(1);
            JsonNode read = expect(http.get("/v1/events?limit=100&" + window, publisher.basic()), 200)
                    .json();
            assertThat(ids(read)).contains(id(mine), id(alsoMine)).doesNotContain(id(notMine));
        }

        @Test
        @DisplayName("`GET /v1/events?action=...&from=...` with `Accept: application/x-ndjson`")
        void eventsAreStreamedAsNdjson() {
            JsonNode sent = publish(publisher, userCreated, user("n1"));
            Answer streamed = expect(
                    http.get(
                            "/v1/events?action=" + userCreated + "&from=" + time(sent),
                            publisher.basic(),
                            "Accept",
                            "application/x-ndjson"),
                    200);
            assertThat(streamed.contentType()).startsWith("application/x-ndjson");
            assertThat(streamed.lines()).extracting(ReadmePromisesIT::id).contains(id(sent));
        }

        @Test
        @DisplayName("`GET /v1/events/AQAB...`")
        void anEventIsReadByItsId() {
            JsonNode sent = publish(publisher, userCreated, user("one"));
            JsonNode event = expect(http.get("/v1/events/" + id(sent), publisher.basic()), 200)
                    .json();
            assertThat(id(event)).isEqualTo(id(sent));
            assertThat(event.path("action").asString()).isEqualTo(userCreated);
            assertThat(event.path("application").asString()).isEqualTo(publisher.name());
            assertThat(event.path("payload")).isEqualTo(raw(user("one")));
        }
    }

    @Nested
    @DisplayName("Gateway API")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class GatewayApi {

        App publisher;
        String action;

        @BeforeAll
        void registerThePublisher() {
            publisher = application("gateway-api");
            action = action(publisher, "gateway.api", USER_SCHEMA);
        }

        @Test
        @DisplayName("`POST /v1/events` → 201 after the broker acked; the record on topic `amebo.<action>` follows the"
                + " CloudEvents Kafka binding (binary mode): the value is the payload JSON; ... headers `ce_specversion`,"
                + " `ce_id`, `ce_source=/applications/<owner>`, `ce_type`, `ce_time`, `ce_dataschema`, `content-type`,"
                + " and `amebo_deduper`, `amebo_not_before`, `amebo_schema_version`, `amebo_correlation_id`")
        void theAppendedRecordIsACloudEventInBinaryMode() {
            String deduper = unique("ce");
            Instant notBefore = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
            Answer answer = http.post(
                    "/v1/events",
                    publisher.basic(),
                    """
                    {"action": "%s", "payload": %s, "deduper": "%s", "key": "the-key", "sleep_until": "%s"}""".formatted(action, user("ce1"), deduper, notBefore),
                    "X-Request-Id",
                    "request-" + deduper);
            ConsumerRecord<String, byte[]> record =
                    recordOf(action, expect(answer, 201).json());

            assertThat(JSON.readTree(record.value())).isEqualTo(raw(user("ce1")));
            assertThat(record.key()).isEqualTo("the-key");
            assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
            assertThat(header(record, "ce_id")).isNotBlank();
            assertThat(header(record, "ce_source")).isEqualTo("/applications/" + publisher.name());
            assertThat(header(record, "ce_type")).isEqualTo(action);
            assertThat(Instant.parse(header(record, "ce_time"))).isBeforeOrEqualTo(Instant.now());
            assertThat(header(record, "ce_dataschema"))
                    .isEqualTo(product.url() + "/v1/actions/" + action + "/schemata/1");
            assertThat(header(record, "content-type")).isEqualTo("application/json");
            assertThat(header(record, "amebo_deduper")).isEqualTo(deduper);
            assertThat(Instant.parse(header(record, "amebo_not_before"))).isEqualTo(notBefore);
            assertThat(header(record, "amebo_schema_version")).isEqualTo("1");
            assertThat(header(record, "amebo_correlation_id")).isEqualTo("request-" + deduper);
            // ce_dataschema names the schema the payload was validated against
            assertThat(expect(http.get(header(record, "ce_dataschema"), publisher.basic()), 200)
                            .json())
                    .isEqualTo(raw(USER_SCHEMA));
        }

        @Test
        @DisplayName("the key is `key`, else the value at the action's `partition_key` pointer, else none")
        void theRecordKeyIsTheKeyElseThePartitionKeyElseNone() {
            String keyed = action(publisher, "keyed", USER_SCHEMA, "\"partition_key\": \"/user_id\"");
            assertThat(recordOf(keyed, publish(publisher, keyed, user("u42"))).key())
                    .isEqualTo("u42");
            assertThat(recordOf(keyed, publish(publisher, keyed, user("u43"), "\"key\": \"explicit\""))
                            .key())
                    .isEqualTo("explicit");
            assertThat(recordOf(action, publish(publisher, action, user("u44"))).key())
                    .isNull();
        }

        @Test
        @DisplayName("Event ids are where the event lives (action, partition, offset), URL-safe and opaque")
        void anEventIdIsWhereTheEventLives() {
            JsonNode sent = publish(publisher, action, user("id1"));
            assertThat(id(sent)).matches("[A-Za-z0-9_-]+");
            EventId decoded = EventId.decode(id(sent));
            assertThat(decoded.action()).isEqualTo(action);
            assertThat(decoded.partition()).isEqualTo(sent.path("partition").asInt());
            assertThat(decoded.offset()).isEqualTo(sent.path("offset").asLong());
        }

        @Test
        @DisplayName("Topics use broker (LogAppendTime) timestamps")
        void topicsUseTheBrokersAppendTime() throws Exception {
            assertThat(topicConfig("amebo." + action)
                            .get("message.timestamp.type")
                            .value())
                    .isEqualTo("LogAppendTime");
            JsonNode sent = publish(publisher, action, user("time1"));
            ConsumerRecord<String, byte[]> record = recordOf(action, sent);
            assertThat(record.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
            assertThat(Instant.ofEpochMilli(record.timestamp())).isEqualTo(time(sent));
        }

        @Test
        @DisplayName("`sleep_until`: seconds to wait before the first delivery (or an ISO time), at most a year")
        void sleepUntilIsSecondsOrAnIsoTimeAtMostAYearAhead() {
            long year = Duration.ofDays(365).toSeconds();
            String inAYear = Instant.now().plus(Duration.ofDays(364)).toString();
            String pastAYear = Instant.now().plus(Duration.ofDays(366)).toString();
            assertThat(publishAs(publisher, action, user("s1"), "\"sleep_until\": " + year)
                            .status())
                    .isEqualTo(201);
            assertThat(publishAs(publisher, action, user("s2"), "\"sleep_until\": \"" + inAYear + "\"")
                            .status())
                    .isEqualTo(201);
            for (String tooLate : List.of(String.valueOf(year + 1), "\"" + pastAYear + "\"")) {
                Answer refused = publishAs(publisher, action, user("s3"), "\"sleep_until\": " + tooLate);
                assertThat(refused.status()).as("sleep_until %s", tooLate).isEqualTo(422);
                assertThat(pointers(refused.json())).containsExactly("/sleep_until");
            }
        }

        @Test
        @DisplayName("`POST /v1/events/batch`: a JSON array → `{results: [...], appended, deduplicated, failed}` with"
                + " one result per item in input order (`appended` counts only events written now; an item whose"
                + " deduper was seen before is `deduplicated`, status 200 with the first id); 200 none failed")
        void aBatchAnswersEveryItemAndCountsDeduplicatedApart() {
            String seen = "\"deduper\": \"" + unique("seen") + "\"";
            JsonNode first = publish(publisher, action, user("b0"), seen);
            Answer answer = http.post(
                    "/v1/events/batch",
                    publisher.basic(),
                    "[%s, %s, %s]"
                            .formatted(
                                    event(action, user("b1"), ""),
                                    event(action, user("b0"), seen),
                                    event(action, user("b2"), "\"deduper\": \"" + unique("new") + "\"")));
            assertThat(answer.status()).isEqualTo(200);
            JsonNode body = answer.json();
            assertThat(names(body)).containsExactlyInAnyOrder("results", "appended", "deduplicated", "failed");
            assertThat(body.path("appended").asInt()).isEqualTo(2);
            assertThat(body.path("deduplicated").asInt()).isEqualTo(1);
            assertThat(body.path("failed").asInt()).isEqualTo(0);
            assertThat(statuses(body.path("results"))).containsExactly(201, 200, 201);
            assertThat(body.path("results"))
                    .extracting(r -> r.path("index").asInt())
                    .containsExactly(0, 1, 2);
            assertThat(id(body.path("results").get(1))).isEqualTo(id(first));
        }

        @Test
        @DisplayName("`POST /v1/events/batch`: ... or NDJSON (`Content-Type: application/x-ndjson`) ...; 207 mixed")
        void aMixedNdjsonBatchIsAnswered207ItemByItem() {
            String ndjson = event(action, user("m1"), "") + "\n" + event(action, "{\"user_id\": 1}", "") + "\n{oops\n";
            Answer answer = http.send(
                    "POST",
                    "/v1/events/batch",
                    publisher.basic(),
                    "application/x-ndjson",
                    ndjson.getBytes(StandardCharsets.UTF_8));
            assertThat(answer.status()).isEqualTo(207);
            assertThat(answer.json().path("appended").asInt()).isEqualTo(1);
            assertThat(answer.json().path("failed").asInt()).isEqualTo(2);
            assertThat(statuses(answer.json().path("results"))).containsExactly(201, 422, 400);
        }

        @Test
        @DisplayName(
                "`POST /v1/events/batch`: none accepted: the status all items share (403, 404, 503, ...), else 422")
        void aBatchWithNothingAcceptedAnswersTheSharedStatusElse422() {
            String unknown = event(unique("no.such.action"), "{}", "");
            String invalid = event(action, "{}", "");
            assertThat(http.post("/v1/events/batch", publisher.basic(), "[" + unknown + "," + unknown + "]")
                            .status())
                    .isEqualTo(404);
            assertThat(http.post("/v1/events/batch", publisher.basic(), "[" + unknown + "," + invalid + "]")
                            .status())
                    .isEqualTo(422);
        }

        @Test
        @DisplayName("`GET /v1/events`: `action` (one, repeated, or comma-separated; without it, every action the"
                + " caller may read) ...; a JSON array in time order (across actions: by time, then action, partition"
                + " and offset)")
        void eventsOfSeveralActionsAreMergedInOneOrder() {
            String first = action(publisher, "merged.a", ANY_OBJECT);
            String second = action(publisher, "merged.b", ANY_OBJECT);
            List<JsonNode> sent = List.of(
                    publish(publisher, first, "{\"n\": 1}"),
                    publish(publisher, second, "{\"n\": 2}"),
                    publish(publisher, first, "{\"n\": 3}"),
                    publish(publisher, second, "{\"n\": 4}"));
            List<String> expected = sent.stream()
                    .sorted(Comparator.comparing(ReadmePromisesIT::time)
                            .thenComparing(e -> e.path("action").asString())
                            .thenComparing(e -> e.path("partition").asInt())
                            .thenComparing(e -> e.path("offset").asLong()))
                    .map(ReadmePromisesIT::id)
                    .toList();
            String window =
                    "&from=" + time(sent.get(0)) + "&to=" + time(sent.get(3)).plusMillis(1);
            String repeated = "/v1/events?action=" + first + "&action=" + second + window;
            String commaSeparated = "/v1/events?action=" + first + "," + second + window;
            String every = "/v1/events?limit=100" + window;
            assertThat(ids(expect(http.get(repeated, publisher.basic()), 200).json()))
                    .containsExactlyElementsOf(expected);
            assertThat(ids(expect(http.get(commaSeparated, publisher.basic()), 200)
                            .json()))
                    .containsExactlyElementsOf(expected);
            assertThat(ids(expect(http.get(every, publisher.basic()), 200).json()))
                    .containsSubsequence(expected);
        }

        @Test
        @DisplayName("`GET /v1/events`: `limit` (default 15, max 100), ...; the next page in `Link` (and"
                + " `X-Next-Cursor`)")
        void eventsComePageByPageWithTheNextInLink() {
            String paged = action(publisher, "paged", ANY_OBJECT);
            batchOf(paged, 16);
            Answer first = expect(http.get("/v1/events?action=" + paged, publisher.basic()), 200);
            assertThat(first.json()).hasSize(15);
            assertThat(first.next()).startsWith("/v1/events?");
            assertThat(first.header("X-Next-Cursor")).isNotBlank();
            Answer second = expect(http.get(first.next(), publisher.basic()), 200);
            assertThat(second.json()).hasSize(1);
            assertThat(second.header("Link")).isNull();
            assertThat(ids(first.json())).doesNotContainAnyElementsOf(ids(second.json()));
            assertThat(expect(http.get("/v1/events?action=" + paged + "&limit=100", publisher.basic()), 200)
                            .json())
                    .hasSize(16);
            assertThat(http.get("/v1/events?action=" + paged + "&limit=101", publisher.basic())
                            .status())
                    .isEqualTo(400);
        }

        @Test
        @DisplayName("`GET /v1/events`: `from`, `to` (`[from, to)`, ISO-8601 UTC)")
        void aTimeRangeIncludesFromAndExcludesTo() {
            String ranged = action(publisher, "ranged", ANY_OBJECT);
            JsonNode first = publish(publisher, ranged, "{\"n\": 1}");
            JsonNode second = publish(publisher, ranged, "{\"n\": 2}");
            while (!time(second).isAfter(time(first))) {
                second = publish(publisher, ranged, "{\"n\": 2}");
            }
            String window = "&from=" + time(first) + "&to=" + time(second);
            JsonNode read = expect(http.get("/v1/events?action=" + ranged + window, publisher.basic()), 200)
                    .json();
            assertThat(ids(read)).contains(id(first)).doesNotContain(id(second));
        }

        @Test
        @DisplayName("`GET /v1/events`: with `Accept: application/x-ndjson` the whole range streamed")
        void theNdjsonStreamHoldsTheWholeRangeWhateverTheLimit() {
            String streamed = action(publisher, "streamed", ANY_OBJECT);
            batchOf(streamed, 20);
            Answer answer = expect(
                    http.get(
                            "/v1/events?action=" + streamed + "&limit=2",
                            publisher.basic(),
                            "Accept",
                            "application/x-ndjson"),
                    200);
            assertThat(answer.lines()).hasSize(20);
        }

        @Test
        @DisplayName("Who: an application publishes only its own actions")
        void anApplicationPublishesOnlyItsOwnActions() {
            assertThat(publishAs(application("not-the-owner"), action, user("x"))
                            .status())
                    .isEqualTo(403);
        }

        @Test
        @DisplayName("Who: ... for an action with a `subscribers` list, the applications on it (subscribed or not);"
                + " for an open action (the default), the applications with a subscription to it")
        void subscribersTheOwnerAllowsReadItsEvents() {
            App reader = application("reader");
            App listed = application("listed");
            String open = action(publisher, "open.action", ANY_OBJECT);
            String closed =
                    action(publisher, "closed.action", ANY_OBJECT, "\"subscribers\": [\"" + listed.name() + "\"]");
            String query = "/v1/events?from=" + Instant.now().minusSeconds(60) + "&action=";
            assertThat(http.get(query + open, reader.basic()).status()).isEqualTo(403);
            subscribe(reader, open);
            await().atMost(SOON)
                    .untilAsserted(() -> assertThat(
                                    http.get(query + open, reader.basic()).status())
                            .isEqualTo(200));
            await().atMost(SOON)
                    .untilAsserted(() -> assertThat(
                                    http.get(query + closed, listed.basic()).status())
                            .isEqualTo(200));
            assertThat(http.get(query + closed, reader.basic()).status()).isEqualTo(403);
        }

        @Test
        @DisplayName("Limits: bodies up to `amebo.gateway.max-body-size` (413 beyond),"
                + " `amebo.gateway.max-batch-items` per batch")
        void tooLargeBodiesAndBatchesAreAnswered413() {
            String big = event(action, "{\"pad\": \"" + "p".repeat(1_100_000) + "\"}", "");
            assertThat(http.post("/v1/events", publisher.basic(), big).status()).isEqualTo(413);
            String tooMany = IntStream.range(0, 1001)
                    .mapToObj(i -> event(action, "{}", ""))
                    .collect(Collectors.joining(",", "[", "]"));
            assertThat(http.post("/v1/events/batch", publisher.basic(), tooMany).status())
                    .isEqualTo(413);
        }

        @Test
        @DisplayName("Metrics: `amebo_events_published_total{action}`, `amebo_events_deduplicated_total{action}`,"
                + " `amebo_events_rejected_total{reason}`, `amebo_publish_latency_seconds` (histogram)")
        void publishingIsCountedInTheDocumentedMetrics() {
            String deduper = "\"deduper\": \"" + unique("metered") + "\"";
            publish(publisher, action, user("m1"), deduper);
            publishAs(publisher, action, user("m1"), deduper);
            publishAs(publisher, action, "{\"user_id\": 1}");
            String metrics = expect(http.get("/metrics", null), 200).body();
            assertThat(series(metrics, "amebo_events_published_total"))
                    .anyMatch(s -> s.contains(tag("action", action)));
            assertThat(series(metrics, "amebo_events_deduplicated_total"))
                    .anyMatch(s -> s.contains(tag("action", action)));
            assertThat(series(metrics, "amebo_events_rejected_total"))
                    .anyMatch(s -> s.contains(tag("reason", "invalid")));
            assertThat(series(metrics, "amebo_publish_latency_seconds_bucket")).isNotEmpty();
        }

        private void batchOf(String action, int events) {
            String batch = IntStream.range(0, events)
                    .mapToObj(i -> event(action, "{\"n\": " + i + "}", ""))
                    .collect(Collectors.joining(",", "[", "]"));
            expect(http.post("/v1/events/batch", publisher.basic(), batch), 200);
        }
    }

    @Nested
    @DisplayName("The dispatcher")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class TheDispatcher {

        String subscription;
        Received delivery;

        @BeforeAll
        void deliverOneEvent() {
            App publisher = application("dispatcher-pub");
            String action = action(publisher, "dispatched", ANY_OBJECT);
            subscription = subscribe(application("dispatcher-sub"), action);
            delivery = awaitRequest(pathOf(subscription), id(publish(publisher, action, "{\"n\": 1}")));
        }

        @Test
        @DisplayName("It keeps one consumer (group `amebo.sub.<subscription>`) per active subscription")
        void everySubscriptionHasAConsumerGroupOfItsOwn() throws Exception {
            assertThat(groups()).contains("amebo.sub." + subscription);
        }

        @Test
        @DisplayName("Every outcome is first appended to the journal topic `amebo.gists` (keyed by gist id) ... and"
                + " copied from there into PostgreSQL by the group `amebo.gist-writer`")
        void everyOutcomeIsJournaledThenCopiedToTheDeliveryLog() throws Exception {
            String gist = delivery.header("X-Amebo-Delivery");
            await().atMost(SOON)
                    .untilAsserted(
                            () -> assertThat(allRecords("amebo.gists")).anyMatch(record -> gist.equals(record.key())));
            assertThat(groups()).contains("amebo.gist-writer");
            String event = delivery.header("webhook-id");
            assertThat(awaitGist(product.admin, subscription, event, "delivered")
                            .path("gist")
                            .asString())
                    .isEqualTo(gist);
        }
    }

    @Nested
    @DisplayName("What a handler receives")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WhatAHandlerReceives {

        App publisher;
        App subscriber;
        String action;
        String subscription;
        JsonNode sent;
        Received delivery;

        /** This test's subscriptions: deleted after it, so that they receive none of the next tests' events. */
        final List<String> scoped = new ArrayList<>();

        @BeforeAll
        void deliverOneEvent() {
            publisher = application("handler-pub");
            // a secret beyond ASCII, so that its UTF-8 bytes are what signs
            subscriber = application("handler-sub", receiver.url("/"), "sécret-ünïcode-Ω-" + unique("s"));
            action = action(publisher, "handled", USER_SCHEMA);
            subscription = subscribeAsAdmin(subscriber, action);
            sent = publish(publisher, action, user("h1"), "\"deduper\": \"" + unique("h1") + "\"");
            delivery = awaitRequest(pathOf(subscription), id(sent));
        }

        @AfterEach
        void deleteThisTestsSubscriptions() {
            scoped.forEach(name -> http.delete("/v1/subscriptions/" + name, product.admin));
            scoped.clear();
        }

        private String scoped(String subscription) {
            scoped.add(subscription);
            return subscription;
        }

        @Test
        @DisplayName("`POST <handler>` with `Content-Type: application/json` and the envelope {id, action,"
                + " application, subscription, payload, timestamped, attempt, deduper}")
        void theHandlerGetsTheEnvelope() {
            assertThat(delivery.method()).isEqualTo("POST");
            assertThat(delivery.header("Content-Type")).startsWith("application/json");
            JsonNode envelope = JSON.readTree(delivery.body());
            assertThat(names(envelope))
                    .containsExactlyInAnyOrder(
                            "id",
                            "action",
                            "application",
                            "subscription",
                            "payload",
                            "timestamped",
                            "attempt",
                            "deduper");
            assertThat(id(envelope)).isEqualTo(id(sent));
            assertThat(envelope.path("action").asString()).isEqualTo(action);
            assertThat(envelope.path("application").asString()).isEqualTo(publisher.name());
            assertThat(envelope.path("subscription").asString()).isEqualTo(subscription);
            assertThat(envelope.path("payload")).isEqualTo(raw(user("h1")));
            assertThat(time(envelope)).isEqualTo(time(sent));
            assertThat(envelope.path("attempt").asInt()).isEqualTo(1);
            assertThat(envelope.path("deduper").asString())
                    .isEqualTo(sent.path("deduper").asString());
        }

        @Test
        @DisplayName("`webhook-id` (the event id ...), `webhook-timestamp`, `webhook-signature: v1,<base64"
                + " HMAC-SHA256(key, id.timestamp.body)>` (Standard Webhooks); the signing key ... for any other"
                + " secret [than whsec_...] its UTF-8 bytes")
        void theStandardWebhooksHeadersSignWithTheSecretsUtf8Bytes() throws Exception {
            assertThat(delivery.header("webhook-id")).isEqualTo(id(sent));
            long timestamp = Long.parseLong(delivery.header("webhook-timestamp"));
            assertThat(Math.abs(Instant.now().getEpochSecond() - timestamp)).isLessThan(300);
            assertThat(delivery.header("webhook-signature"))
                    .isEqualTo(standardSignature(utf8(subscriber.secret()), delivery));
        }

        @Test
        @DisplayName("`X-Amebo-Signature: sha256=<hex HMAC-SHA256(key, body)>`")
        void theAmeboSignatureIsTheHexHmacOfTheBody() throws Exception {
            assertThat(delivery.header("X-Amebo-Signature"))
                    .isEqualTo(ameboSignature(utf8(subscriber.secret()), delivery));
        }

        @Test
        @DisplayName("`X-Amebo-Action`, `X-Amebo-Subscription`, `X-Amebo-Attempt`, `X-Amebo-Delivery` (the gist id)")
        void theAmeboHeadersNameTheActionSubscriptionAttemptAndGist() {
            assertThat(delivery.header("X-Amebo-Action")).isEqualTo(action);
            assertThat(delivery.header("X-Amebo-Subscription")).isEqualTo(subscription);
            assertThat(delivery.header("X-Amebo-Attempt")).isEqualTo("1");
            String gist = awaitGist(product.admin, subscription, id(sent), "delivered")
                    .path("gist")
                    .asString();
            assertThat(delivery.header("X-Amebo-Delivery")).isEqualTo(gist);
        }

        @Test
        @DisplayName("`X-Request-Id` (the publish request's `X-Request-Id`, or the id the gateway gave it)")
        void theHandlerGetsThePublishRequestsId() {
            Answer given = http.post(
                    "/v1/events",
                    publisher.basic(),
                    event(action, user("r1"), ""),
                    "X-Request-Id",
                    "given-" + subscription);
            Answer generated = http.post("/v1/events", publisher.basic(), event(action, user("r2"), ""));
            expect(given, 201);
            expect(generated, 201);
            assertThat(given.header("X-Request-Id")).isEqualTo("given-" + subscription);
            assertThat(generated.header("X-Request-Id")).isNotBlank();
            assertThat(awaitRequest(pathOf(subscription), id(given.json())).header("X-Request-Id"))
                    .isEqualTo("given-" + subscription);
            assertThat(awaitRequest(pathOf(subscription), id(generated.json())).header("X-Request-Id"))
                    .isEqualTo(generated.header("X-Request-Id"));
        }

        @Test
        @DisplayName("During a secret rotation both signature headers carry one signature per valid secret")
        void duringARotationEverySecretSigns() throws Exception {
            App rotating = application("rotating");
            String rotatingSubscription = scoped(subscribe(rotating, action));
            String newSecret = expect(
                            http.patch(
                                    "/v1/applications/" + rotating.name(), product.admin, "{\"rotate_secret\": true}"),
                            200)
                    .json()
                    .path("secret")
                    .asString();
            // the dispatcher learns of the rotation from the registry's changelog: publish until a delivery shows it
            Received signedTwice = await().atMost(SOON)
                    .pollInterval(Duration.ofMillis(500))
                    .until(
                            () -> {
                                publish(publisher, action, user("rot"));
                                return deliveries(rotatingSubscription).stream()
                                        .filter(r ->
                                                r.header("webhook-signature").contains(" "))
                                        .findFirst();
                            },
                            Optional::isPresent)
                    .get();
            byte[] newKey = whsecKey(newSecret);
            byte[] oldKey = utf8(rotating.secret());
            assertThat(signedTwice.header("webhook-signature").split(" "))
                    .containsExactlyInAnyOrder(
                            standardSignature(newKey, signedTwice), standardSignature(oldKey, signedTwice));
            assertThat(signedTwice.header("X-Amebo-Signature").split(", "))
                    .containsExactlyInAnyOrder(
                            ameboSignature(newKey, signedTwice), ameboSignature(oldKey, signedTwice));
        }

        @Test
        @DisplayName("The signing key comes from the subscriber's secret: for a secret of the form `whsec_<base64>`"
                + " (what Amebo generates when `secret` is left out) the base64-decoded bytes")
        void aGeneratedSecretSignsWithItsDecodedBytes() throws Exception {
            App generated = applicationWithGeneratedSecret("generated-secret");
            String generatedSubscription = scoped(subscribe(generated, action));
            Received signed =
                    awaitRequest(pathOf(generatedSubscription), id(publish(publisher, action, user("whsec"))));
            byte[] key = whsecKey(generated.secret());
            assertThat(signed.header("webhook-signature")).isEqualTo(standardSignature(key, signed));
            assertThat(signed.header("X-Amebo-Signature")).isEqualTo(ameboSignature(key, signed));
        }

        @Test
        @DisplayName("Any 2xx is success, whatever its body")
        void any2xxIsSuccessWhateverItsBody() {
            String accepting = scoped(subscribe(subscriber, action));
            REPLIES.put(pathOf(accepting), r -> Reply.status(202).withBody("not JSON, and long: " + "x".repeat(5000)));
            JsonNode gist =
                    awaitGist(product.admin, accepting, id(publish(publisher, action, user("2xx"))), "delivered");
            assertThat(gist.path("attempts").asInt()).isEqualTo(1);
            assertThat(gist.path("last_status").asInt()).isEqualTo(202);
            assertThat(deliveries(accepting)).hasSize(1);
        }

        @Test
        @DisplayName("[of a 2xx answer] only the first 1 KiB is read (it is kept as the excerpt)")
        void theFirstKibibyteOfA2xxIsKeptAsTheExcerpt() {
            String accepting = scoped(subscribe(subscriber, action));
            String body = "y".repeat(5000);
            REPLIES.put(pathOf(accepting), r -> Reply.status(200).withBody(body));
            JsonNode gist =
                    awaitGist(product.admin, accepting, id(publish(publisher, action, user("excerpt"))), "delivered");
            assertThat(gist.path("response_excerpt").asString()).isEqualTo(body.substring(0, 1024));
        }

        @Test
        @DisplayName("[of a failed attempt] only the first 1 KiB is read (it is kept as the excerpt)")
        void theFirstKibibyteOfAFailureIsKeptAsTheExcerpt() {
            String failing = scoped(subscribe(subscriber, action, "\"max_retries\": 1"));
            String body = "z".repeat(5000);
            REPLIES.put(pathOf(failing), r -> Reply.status(500).withBody(body));
            JsonNode gist = awaitGist(product.admin, failing, id(publish(publisher, action, user("excerpt5"))), "dead");
            assertThat(gist.path("response_excerpt").asString()).isEqualTo(body.substring(0, 1024));
        }

        @Test
        @DisplayName("3xx is a failure (redirects are not followed)")
        void aRedirectIsAFailureAndIsNotFollowed() {
            String redirected = scoped(subscribe(subscriber, action, "\"max_retries\": 1"));
            String elsewhere = "/moved-" + redirected;
            REPLIES.put(pathOf(redirected), r -> Reply.status(302).withHeader("Location", receiver.url(elsewhere)));
            JsonNode gist = awaitGist(product.admin, redirected, id(publish(publisher, action, user("3xx"))), "dead");
            assertThat(gist.path("last_status").asInt()).isEqualTo(302);
            assertThat(receiver.requests(r -> r.path().equals(elsewhere))).isEmpty();
        }

        @Test
        @DisplayName("410 Gone pauses the subscription in the registry, with the reason. The event that got it is not"
                + " done with: it waits")
        void goneAnswersPauseTheSubscriptionWithTheReason() {
            String gone = scoped(subscribe(subscriber, action));
            REPLIES.put(pathOf(gone), r -> Reply.status(410));
            String id = id(publish(publisher, action, user("410")));
            JsonNode paused = await().atMost(SOON)
                    .until(
                            () -> http.get("/v1/subscriptions/" + gone, subscriber.basic())
                                    .json(),
                            s -> s.path("status").asString().equals("paused"));
            assertThat(paused.path("paused_reason").asString()).isNotBlank();
            // neither dead nor failed: pending, delivered once the subscription resumes (DeliveryOutcomesIT)
            assertThat(awaitGist(product.admin, gone, id, "pending")
                            .path("last_status")
                            .asInt())
                    .isEqualTo(410);
        }

        @Test
        @DisplayName("Retries: at most `max_retries` attempts in all. Attempt n+1 is due 1 s × 2^(n-1) after attempt n"
                + " failed (±10 % jitter ...); `webhook-id` (... the same on every attempt ...)")
        void aFailedAttemptIsRetriedASecondLaterUpToMaxRetries() {
            String retried = scoped(subscribe(subscriber, action, "\"max_retries\": 2"));
            REPLIES.put(pathOf(retried), r -> Reply.status(500));
            String id = id(publish(publisher, action, user("retry")));
            awaitGist(product.admin, retried, id, "dead");
            List<Received> attempts = deliveries(retried);
            assertThat(attempts).hasSize(2);
            assertThat(attempts).extracting(r -> r.header("webhook-id")).containsOnly(id);
            assertThat(attempts).extracting(r -> r.header("X-Amebo-Attempt")).containsExactly("1", "2");
            assertThat(attempts)
                    .extracting(r -> JSON.readTree(r.body()).path("attempt").asInt())
                    .containsExactly(1, 2);
            assertThat(attempts)
                    .extracting(r -> r.header("X-Amebo-Delivery"))
                    .containsOnly(attempts.get(0).header("X-Amebo-Delivery"));
            Duration gap = Duration.between(
                    attempts.get(0).receivedAt(), attempts.get(1).receivedAt());
            // due 1 s ± 10 % after the failure, and never made before it is due; how closely the real gap follows the
            // schedule is DeliveryOutcomesIT's to hold (a timing, measured there with its own margin), so here only
            // that
            // the retry waited on the one-second schedule rather than a longer tier
            assertThat(gap).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
        }

        @Test
        @DisplayName("After the last attempt the delivery is dead: a gist with status `dead` and a record on"
                + " `amebo.dead`")
        void aDeadDeliveryHasADeadGistAndADeadLetter() {
            String dying = scoped(subscribe(subscriber, action, "\"max_retries\": 1"));
            REPLIES.put(pathOf(dying), r -> Reply.status(503));
            JsonNode gist = awaitGist(product.admin, dying, id(publish(publisher, action, user("dead"))), "dead");
            assertThat(gist.path("attempts").asInt()).isEqualTo(1);
            assertThat(gist.path("last_status").asInt()).isEqualTo(503);
            await().atMost(SOON)
                    .untilAsserted(() -> assertThat(allRecords("amebo.dead")).anySatisfy(record -> {
                        assertThat(record.key()).isEqualTo(dying);
                        assertThat(JSON.readTree(record.value())).isEqualTo(raw(user("dead")));
                    }));
        }

        @Test
        @DisplayName("`sleep_until`: the first delivery waits until then ...; no attempt is counted meanwhile")
        void aDelayedEventIsFirstDeliveredWhenItIsDue() {
            String delayed = scoped(subscribe(subscriber, action));
            JsonNode event = publish(publisher, action, user("sleepy"), "\"sleep_until\": 2");
            Received first = awaitRequest(pathOf(delayed), id(event));
            assertThat(first.receivedAt()).isAfterOrEqualTo(time(event).plusMillis(1_950));
            assertThat(first.header("X-Amebo-Attempt")).isEqualTo("1");
        }
    }

    @Nested
    @DisplayName("Dispatcher API")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class DispatcherApi {

        App publisher;
        App subscriber;
        String action;

        @BeforeAll
        void register() {
            publisher = application("dispatcher-api-pub");
            subscriber = application("dispatcher-api-sub");
            action = action(publisher, "dispatcher.api", ANY_OBJECT);
        }

        @Test
        @DisplayName("`GET /v1/gists`: deliveries: `subscription`, `action`, `status` (`pending`, `delivered`,"
                + " `failed`, `dead`), ...; each with attempts, last status, last error, response excerpt (1 KiB),"
                + " next attempt")
        void gistsShowEveryDeliveryWithItsAttemptsAndFilter() {
            String subscription = subscribe(subscriber, action, "\"max_retries\": 1");
            REPLIES.put(
                    pathOf(subscription),
                    r -> r.bodyText().contains("\"fail\"") ? Reply.status(500) : Reply.status(200));
            String delivered = id(publish(publisher, action, "{\"n\": \"ok\"}"));
            String dead = id(publish(publisher, action, "{\"n\": \"fail\"}"));
            awaitGist(subscriber.basic(), subscription, delivered, "delivered");
            JsonNode gist = awaitGist(subscriber.basic(), subscription, dead, "dead");
            assertThat(names(gist))
                    .contains(
                            "gist",
                            "subscription",
                            "action",
                            "status",
                            "attempts",
                            "last_status",
                            "last_error",
                            "response_excerpt",
                            "next_attempt_at");
            assertThat(gist.path("last_error").asString()).isNotBlank();
            String query = "/v1/gists?subscription=" + subscription + "&action=" + action + "&status=dead";
            JsonNode onlyDead = expect(http.get(query, subscriber.basic()), 200).json();
            assertThat(onlyDead).extracting(g -> g.path("event").asString()).containsExactly(dead);
        }

        @Test
        @DisplayName("`GET /v1/gists`: any authenticated caller, for the deliveries of its own subscriptions (the"
                + " admin: all)")
        void anApplicationSeesOnlyTheGistsOfItsOwnSubscriptions() {
            String subscription = subscribe(subscriber, action);
            awaitGist(product.admin, subscription, id(publish(publisher, action, "{\"n\": \"mine\"}")), "delivered");
            String query = "/v1/gists?subscription=" + subscription;
            assertThat(expect(http.get(query, application("gist-stranger").basic()), 200)
                            .json())
                    .isEmpty();
            assertThat(expect(http.get(query, subscriber.basic()), 200).json()).isNotEmpty();
        }

        @Test
        @DisplayName("`GET /v1/gists`: `page`, `pagination`; Lists ... give the next page in a"
                + " `Link: <...>; rel=\"next\"` header")
        void gistsComePageByPageWithTheNextInLink() {
            String subscription = subscribe(subscriber, action);
            for (int i = 0; i < 3; i++) {
                awaitGist(
                        subscriber.basic(),
                        subscription,
                        id(publish(publisher, action, "{\"n\": " + i + "}")),
                        "delivered");
            }
            Answer first = expect(
                    http.get("/v1/gists?subscription=" + subscription + "&pagination=2", subscriber.basic()), 200);
            assertThat(first.json()).hasSize(2);
            assertThat(first.next()).contains("page=2").contains("pagination=2");
            Answer second = expect(http.get(first.next(), subscriber.basic()), 200);
            assertThat(second.json()).hasSize(1);
            assertThat(second.header("Link")).isNull();
        }

        @Test
        @DisplayName("`POST /v1/regists/{gist}`: redeliver one now ... → `{gist, attempt, delivered, status, error?}`")
        void aGistIsRedeliveredOnRequest() {
            String subscription = subscribe(subscriber, action, "\"max_retries\": 1");
            AtomicInteger calls = new AtomicInteger();
            REPLIES.put(
                    pathOf(subscription), r -> calls.incrementAndGet() == 1 ? Reply.status(500) : Reply.status(200));
            String id = id(publish(publisher, action, "{\"n\": \"again\"}"));
            String gist = awaitGist(subscriber.basic(), subscription, id, "dead")
                    .path("gist")
                    .asString();

            JsonNode body = expect(http.post("/v1/regists/" + gist, subscriber.basic(), null), 200)
                    .json();
            assertThat(body.path("gist").asString()).isEqualTo(gist);
            assertThat(body.path("delivered").asBoolean()).isTrue();
            assertThat(body.path("status").asInt()).isEqualTo(200);
            Received again = deliveries(subscription).get(1);
            assertThat(again.header("webhook-id")).isEqualTo(id);
            assertThat(again.header("X-Amebo-Attempt"))
                    .isEqualTo(body.path("attempt").asString());
            assertThat(awaitGist(subscriber.basic(), subscription, id, "delivered")
                            .path("attempts")
                            .asInt())
                    .isEqualTo(body.path("attempt").asInt());
        }

        @Test
        @DisplayName("`POST /v1/subscriptions/{name}/redeliver`: `{\"status\": \"dead\"}` → 202 `{requeued}`: every"
                + " dead delivery of the subscription goes back, with a fresh attempt count")
        void everyDeadDeliveryGoesBackWithAFreshAttemptCount() {
            String subscription = subscribe(subscriber, action, "\"max_retries\": 1");
            AtomicInteger calls = new AtomicInteger();
            REPLIES.put(
                    pathOf(subscription), r -> calls.incrementAndGet() <= 2 ? Reply.status(500) : Reply.status(200));
            List<String> ids =
                    List.of(id(publish(publisher, action, "{\"n\": 1}")), id(publish(publisher, action, "{\"n\": 2}")));
            ids.forEach(id -> awaitGist(subscriber.basic(), subscription, id, "dead"));

            Answer answer = http.post(
                    "/v1/subscriptions/" + subscription + "/redeliver", subscriber.basic(), "{\"status\": \"dead\"}");
            assertThat(answer.status()).isEqualTo(202);
            assertThat(answer.json().path("requeued").asInt()).isEqualTo(2);
            for (String id : ids) {
                assertThat(awaitGist(subscriber.basic(), subscription, id, "delivered")
                                .path("attempts")
                                .asInt())
                        .isEqualTo(1);
            }
            assertThat(deliveries(subscription).subList(2, 4))
                    .extracting(r -> r.header("X-Amebo-Attempt"))
                    .containsOnly("1");
        }

        @Test
        @DisplayName("`POST /v1/subscriptions/{name}/replay`: `{from, to?}` → 202 `{replay, ...}` with a `Location`:"
                + " the events appended in `[from, to)` delivered again with their original ids; `GET"
                + " /v1/subscriptions/{name}/replays/{replay}` → `{status, total, settled, delivered, retrying, dead}`")
        void aReplayDeliversTheWindowAgainWithTheOriginalIds() {
            String subscription = subscribe(subscriber, action);
            JsonNode first = publish(publisher, action, "{\"n\": \"r1\"}");
            JsonNode second = publish(publisher, action, "{\"n\": \"r2\"}");
            awaitRequest(pathOf(subscription), id(first));
            awaitRequest(pathOf(subscription), id(second));

            Answer started = post(
                    "/v1/subscriptions/" + subscription + "/replay",
                    subscriber.basic(),
                    """
                    {"from": "%s", "to": "%s"}""",
                    time(first),
                    time(second).plusMillis(1));
            assertThat(started.status()).isEqualTo(202);
            String replay = started.json().path("replay").asString();
            assertThat(started.header("Location"))
                    .isEqualTo("/v1/subscriptions/" + subscription + "/replays/" + replay);
            JsonNode done = await().atMost(SOON)
                    .until(
                            () -> http.get(started.header("Location"), subscriber.basic())
                                    .json(),
                            progress -> progress.path("status").asString().equals("done"));
            assertThat(names(done)).contains("status", "total", "settled", "delivered", "retrying", "dead");
            assertThat(done.path("total").asInt()).isEqualTo(2);
            assertThat(done.path("settled").asInt()).isEqualTo(2);
            assertThat(done.path("delivered").asInt()).isEqualTo(2);
            await().atMost(SOON)
                    .untilAsserted(() -> assertThat(deliveries(subscription))
                            .extracting(r -> r.header("webhook-id"))
                            .containsExactlyInAnyOrder(id(first), id(second), id(first), id(second)));
        }

        @Test
        @DisplayName("Metrics: `amebo_deliveries_delivered_total`, `amebo_deliveries_failed_total`,"
                + " `amebo_deliveries_dead_total`, `amebo_delivery_latency_seconds` (histogram),"
                + " `amebo_subscription_breaker` ..., `amebo_subscription_lag`, each tagged `subscription`")
        void deliveriesAreCountedInTheDocumentedMetrics() {
            String subscription = subscribe(subscriber, action);
            awaitRequest(pathOf(subscription), id(publish(publisher, action, "{\"n\": \"metered\"}")));
            String tagged = tag("subscription", subscription);
            // the breaker and lag gauges appear with the dispatcher's housekeeping round (every 5 s)
            await().atMost(SOON).untilAsserted(() -> {
                String metrics = expect(http.get("/metrics", null), 200).body();
                for (String name : List.of(
                        "amebo_deliveries_delivered_total",
                        "amebo_deliveries_failed_total",
                        "amebo_deliveries_dead_total",
                        "amebo_delivery_latency_seconds_bucket",
                        "amebo_subscription_breaker",
                        "amebo_subscription_lag")) {
                    assertThat(series(metrics, name)).as(name).anyMatch(s -> s.contains(tagged));
                }
            });
        }
    }

    @Nested
    @DisplayName("Registry API")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class RegistryApi {

        App owner;

        @BeforeAll
        void register() {
            owner = application("registry-api");
        }

        @Test
        @DisplayName("`POST /v1/tokens` (also `/v8/tokens`): `{application, secret}` or the original's"
                + " `{username, password, scheme}` → a bearer token")
        void tokensComeForBothRequestShapesOnBothPaths() {
            List<String> bodies = List.of(
                    "{\"application\": \"%s\", \"secret\": \"%s\"}".formatted(owner.name(), owner.secret()),
                    "{\"username\": \"%s\", \"password\": \"%s\", \"scheme\": \"Bearer\"}"
                            .formatted(owner.name(), owner.secret()));
            for (String path : List.of("/v1/tokens", "/v8/tokens")) {
                for (String body : bodies) {
                    String token = expect(http.post(path, null, body), 200)
                            .json()
                            .path("token")
                            .asString();
                    assertThat(http.get("/v1/applications/" + owner.name(), "Bearer " + token)
                                    .status())
                            .as("%s %s", path, body)
                            .isEqualTo(200);
                }
            }
        }

        @Test
        @DisplayName("`POST /v1/applications`: `{application, address, secret?}` → 201 [and the original's"
                + " `passphrase` for the secret]")
        void anApplicationMayGiveItsSecretAsPassphrase() {
            String name = unique("passphrase");
            String passphrase = "the-original-passphrase-" + name;
            Answer created = post("/v1/applications", product.admin, """
                    {"application": "%s", "address": "https://old.example.com", "passphrase": "%s"}""", name, passphrase);
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(http.get("/v1/applications/" + name, RunningProduct.basic(name, passphrase))
                            .status())
                    .isEqualTo(200);
        }

        @Test
        @DisplayName("`GET /v1/applications[/{name}]`: filters `application`, `address` (substring), ...; never shows"
                + " secrets")
        void applicationsAreFilteredAndNeverShowSecrets() {
            String marker = unique("addr");
            App found = application("filtered", "https://" + marker + ".example.com");
            JsonNode byAddress = expect(http.get("/v1/applications?address=" + marker, owner.basic()), 200)
                    .json();
            assertThat(ids(byAddress, "application")).containsExactly(found.name());
            JsonNode byName = expect(http.get("/v1/applications?application=" + found.name(), owner.basic()), 200)
                    .json();
            assertThat(ids(byName, "application")).containsExactly(found.name());
            assertThat(byName.toString()).doesNotContain(found.secret());
        }

        @Test
        @DisplayName("`PATCH /v1/applications/{name}`: `{address}` (or the original's `location`)")
        void anApplicationsAddressChangesUnderEitherName() {
            App app = application("moving");
            String path = "/v1/applications/" + app.name();
            expect(http.patch(path, app.basic(), "{\"address\": \"https://a.example.com\"}"), 200);
            JsonNode moved = expect(http.patch(path, app.basic(), "{\"location\": \"https://b.example.com\"}"), 200)
                    .json();
            assertThat(moved.path("address").asString()).isEqualTo("https://b.example.com");
        }

        @Test
        @DisplayName("`PATCH /v1/applications/{name}`: `{\"rotate_secret\": true}` rotates: the old secret ... keeps"
                + " working for `amebo.auth.secret-grace` ...; `{\"revoke_previous\": true}` alone ends a grace"
                + " period under way")
        void aRotatedOutSecretWorksUntilItsGraceIsEnded() {
            App app = application("rotated");
            String path = "/v1/applications/" + app.name();
            JsonNode rotated = expect(http.patch(path, product.admin, "{\"rotate_secret\": true}"), 200)
                    .json();
            String newSecret = rotated.path("secret").asString();
            assertThat(newSecret).isNotEqualTo(app.secret());
            assertThat(rotated.path("previous_secret_valid_until").asString()).isNotBlank();
            awaitStatus(path, RunningProduct.basic(app.name(), newSecret), 200);
            assertThat(http.get(path, app.basic()).status()).isEqualTo(200);
            expect(http.patch(path, product.admin, "{\"revoke_previous\": true}"), 200);
            awaitStatus(path, app.basic(), 401);
        }

        @Test
        @DisplayName("`DELETE /v1/applications/{name}`: 409 while it owns actions or subscriptions")
        void anApplicationThatOwnsSomethingCannotBeDeleted() {
            App busy = application("busy");
            action(busy, "owned", ANY_OBJECT);
            assertThat(http.delete("/v1/applications/" + busy.name(), product.admin)
                            .status())
                    .isEqualTo(409);
            App idle = application("idle");
            assertThat(http.delete("/v1/applications/" + idle.name(), product.admin)
                            .status())
                    .isEqualTo(204);
            assertThat(http.get("/v1/applications/" + idle.name(), product.admin)
                            .status())
                    .isEqualTo(404);
        }

        @Test
        @DisplayName("`POST /v1/actions`: `{action, application, schemata, partitions?, retention?, partition_key?,"
                + " compatibility?, description?, subscribers?}`; creates topic `amebo.<action>`")
        void anActionTakesEveryDocumentedOption() throws Exception {
            App allowed = application("allowed");
            String name = unique("full.options");
            JsonNode body = expect(
                            post("/v1/actions", owner.basic(), """
                    {"action": "%s", "application": "%s", "schemata": %s, "partitions": 2, "retention": "1d",
                     "partition_key": "/user_id", "compatibility": "full", "description": "every option",
                     "subscribers": ["%s"]}""", name, owner.name(), USER_SCHEMA, allowed.name()),
                            201)
                    .json();
            assertThat(body.path("partitions").asInt()).isEqualTo(2);
            assertThat(body.path("partition_key").asString()).isEqualTo("/user_id");
            assertThat(body.path("compatibility").asString()).isEqualTo("full");
            assertThat(body.path("description").asString()).isEqualTo("every option");
            assertThat(body.path("subscribers")).extracting(JsonNode::asString).containsExactly(allowed.name());
            assertThat(partitions("amebo." + name)).isEqualTo(2);
            assertThat(topicConfig("amebo." + name).get("retention.ms").value())
                    .isEqualTo(String.valueOf(Duration.ofDays(1).toMillis()));
        }

        @Test
        @DisplayName("`PATCH /v1/actions/{name}`: `{subscribers?, description?}`; an application taken off"
                + " `subscribers` has its subscriptions to the action paused, with the reason, and cannot resume them")
        void anApplicationTakenOffSubscribersIsPausedAndCannotResume() {
            App subscriber = application("taken-off");
            String action = action(owner, "guarded", ANY_OBJECT, "\"subscribers\": [\"" + subscriber.name() + "\"]");
            String subscription = subscribe(subscriber, action);
            expect(http.patch("/v1/actions/" + action, owner.basic(), "{\"subscribers\": []}"), 200);
            JsonNode paused = expect(http.get("/v1/subscriptions/" + subscription, subscriber.basic()), 200)
                    .json();
            assertThat(paused.path("status").asString()).isEqualTo("paused");
            assertThat(paused.path("paused_reason").asString()).isNotBlank();
            Answer resume =
                    http.patch("/v1/subscriptions/" + subscription, subscriber.basic(), "{\"status\": \"active\"}");
            assertThat(resume.status()).isEqualTo(403);
        }

        @Test
        @DisplayName("`POST /v1/actions/{name}/schemata`: `{schemata}` → 201 with the new version, if compatible"
                + " ...; `GET /v1/actions/{name}/schemata/{version}`; `GET /v1/actions[/{name}]`: with schema"
                + " versions, topic, `subscribers` and `subscription_count`")
        void schemaVersionsAreAddedAndShown() {
            String closed = """
                    {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}}""";
            String wider = """
                    {"type": "object", "additionalProperties": false,
                     "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}""";
            String action = action(owner, "versioned", closed);
            subscribe(application("counted"), action);
            assertThat(newVersion(action, wider).json().path("version").asInt()).isEqualTo(2);
            String schemata = "/v1/actions/" + action + "/schemata/";
            assertThat(expect(http.get(schemata + 2, owner.basic()), 200).json())
                    .isEqualTo(raw(wider));
            assertThat(expect(http.get(schemata + 1, owner.basic()), 200).json())
                    .isEqualTo(raw(closed));
            JsonNode shown = expect(http.get("/v1/actions/" + action, owner.basic()), 200)
                    .json();
            assertThat(shown.path("versions")).hasSize(2);
            assertThat(shown.path("topic").asString()).isEqualTo("amebo." + action);
            assertThat(shown.path("subscribers").asString()).isEqualTo("open");
            assertThat(shown.path("subscription_count").asInt()).isEqualTo(1);
            JsonNode listed = expect(http.get("/v1/actions?action=" + action, owner.basic()), 200)
                    .json();
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0).path("subscription_count").asInt()).isEqualTo(1);
        }

        @Test
        @DisplayName("`POST /v1/subscriptions`: `{application, subscription, action, handler, max_retries?,"
                + " ordered?, rate_limit?, description?}`; `GET /v1/subscriptions`: filters `application`, `action`,"
                + " `status`; `PATCH`: `{status: \"paused\" | \"active\", handler, ...}`; `DELETE`")
        void subscriptionsTakeTheirOptionsAndAreFilteredChangedAndDeleted() {
            App subscriber = application("options");
            String action = action(owner, "subscribed", ANY_OBJECT);
            String name = unique("options");
            JsonNode created = expect(
                            post("/v1/subscriptions", subscriber.basic(), """
                    {"application": "%s", "subscription": "%s", "action": "%s", "handler": "/%s", "max_retries": 3,
                     "ordered": true, "rate_limit": 10, "description": "with options"}""", subscriber.name(), name, action, name),
                            201)
                    .json();
            assertThat(created.path("max_retries").asInt()).isEqualTo(3);
            assertThat(created.path("ordered").asBoolean()).isTrue();
            assertThat(created.path("rate_limit").asInt()).isEqualTo(10);
            assertThat(created.path("description").asString()).isEqualTo("with options");

            String path = "/v1/subscriptions/" + name;
            expect(http.patch(path, subscriber.basic(), "{\"status\": \"paused\"}"), 200);
            for (String filter :
                    List.of("application=" + subscriber.name(), "action=" + action, "status=paused&action=" + action)) {
                JsonNode found = expect(http.get("/v1/subscriptions?" + filter, subscriber.basic()), 200)
                        .json();
                assertThat(ids(found, "subscription")).as(filter).containsExactly(name);
            }
            assertThat(expect(http.get("/v1/subscriptions?status=active&action=" + action, subscriber.basic()), 200)
                            .json())
                    .isEmpty();
            JsonNode resumed = expect(
                            http.patch(
                                    path, subscriber.basic(), "{\"status\": \"active\", \"handler\": \"/elsewhere\"}"),
                            200)
                    .json();
            assertThat(resumed.path("status").asString()).isEqualTo("active");
            assertThat(resumed.path("endpoint").asString()).isEqualTo(receiver.url("/elsewhere"));
            expect(http.delete(path, subscriber.basic()), 204);
            assertThat(http.get(path, subscriber.basic()).status()).isEqualTo(404);
        }

        @Test
        @DisplayName("`GET /v1/registry/{kind}/{name}` (admin): the registry's record of one `application`, `action`"
                + " or `subscription`")
        void theAdminReadsTheRegistrysRecords() {
            String action = action(owner, "recorded", ANY_OBJECT);
            String subscription = subscribe(owner, action);
            for (String path : List.of(
                    "/v1/registry/application/" + owner.name(),
                    "/v1/registry/action/" + action,
                    "/v1/registry/subscription/" + subscription)) {
                assertThat(expect(http.get(path, product.admin), 200).body())
                        .as(path)
                        .contains("\"" + path.substring(path.lastIndexOf('/') + 1) + "\"");
                assertThat(http.get(path, owner.basic()).status()).as(path).isEqualTo(403);
            }
        }

        @Test
        @DisplayName("A caller without a valid credential gets 401 before anything says whether what it asked for"
                + " exists")
        void aCallerWithoutCredentialsLearnsNothing() {
            App app = application("asked-for");
            for (String authorization :
                    Arrays.asList(null, "Bearer not-a-token", RunningProduct.basic(app.name(), "a-wrong-secret-123"))) {
                assertThat(http.get("/v1/applications/" + app.name(), authorization)
                                .status())
                        .isEqualTo(401);
                assertThat(http.get("/v1/applications/" + unique("nobody"), authorization)
                                .status())
                        .isEqualTo(401);
            }
        }

        @Test
        @DisplayName("A rotated-out secret in its grace period (and a token minted from it) authenticates, ... but it"
                + " can change nothing of the application's own record: its address, its secrets, its deletion. A"
                + " token ... stops working with that secret")
        void aRotatedOutSecretCanChangeNothingOfItsApplication() {
            App app = application("grace");
            String path = "/v1/applications/" + app.name();
            String oldToken = "Bearer "
                    + expect(post("/v1/tokens", null, """
                    {"application": "%s", "secret": "%s"}""", app.name(), app.secret()), 200)
                            .json()
                            .path("token")
                            .asString();
            String newSecret = expect(http.patch(path, product.admin, "{\"rotate_secret\": true}"), 200)
                    .json()
                    .path("secret")
                    .asString();
            awaitStatus(path, RunningProduct.basic(app.name(), newSecret), 200);
            for (String rotatedOut : List.of(app.basic(), oldToken)) {
                assertThat(http.get(path, rotatedOut).status()).isEqualTo(200);
                assertThat(http.patch(path, rotatedOut, "{\"address\": \"https://taken.example.com\"}")
                                .status())
                        .isEqualTo(403);
                assertThat(http.patch(path, rotatedOut, "{\"rotate_secret\": true}")
                                .status())
                        .isEqualTo(403);
                assertThat(http.delete(path, rotatedOut).status()).isEqualTo(403);
            }
            expect(http.patch(path, product.admin, "{\"revoke_previous\": true}"), 200);
            awaitStatus(path, oldToken, 401);
        }

        @Test
        @DisplayName("Names: actions match `^[a-z0-9][a-z0-9._-]{0,199}$` ...; an action whose topic would share Kafka"
                + " metric names with another (`user.created` vs `user_created`) is refused, as are `registry`, `dead`"
                + " and `retry.*`")
        void actionNamesFollowTheRules() {
            String base = unique("named");
            assertThat(actionAnswer("Upper.Case").status()).isEqualTo(422);
            assertThat(actionAnswer("-leading").status()).isEqualTo(422);
            assertThat(actionAnswer(base + "x".repeat(200 - base.length())).status())
                    .isEqualTo(201);
            assertThat(actionAnswer(base + "y".repeat(201 - base.length())).status())
                    .isEqualTo(422);
            assertThat(actionAnswer(base + ".created").status()).isEqualTo(201);
            Answer collision = actionAnswer(base + "_created");
            assertThat(collision.status()).isEqualTo(422);
            assertThat(pointers(collision.json())).containsExactly("/action");
            for (String reserved : List.of("registry", "dead", "retry." + base)) {
                assertThat(actionAnswer(reserved).status()).as(reserved).isEqualTo(422);
            }
        }

        @Test
        @DisplayName("Names: ... Applications and subscriptions match `^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`")
        void applicationAndSubscriptionNamesFollowTheRules() {
            String base = unique("App.Name_");
            String action = action(owner, "name.rules", ANY_OBJECT);
            for (String good : List.of(base, base + "z".repeat(100 - base.length()))) {
                assertThat(applicationAnswer(good).status()).as(good).isEqualTo(201);
            }
            for (String bad : List.of("_" + base, base + "z".repeat(101 - base.length()), base + "/x", base + " x")) {
                assertThat(applicationAnswer(bad).status()).as(bad).isEqualTo(422);
                Answer subscription = post("/v1/subscriptions", owner.basic(), """
                        {"application": "%s", "subscription": "%s", "action": "%s", "handler": "/x"}""", owner.name(), bad, action);
                assertThat(subscription.status()).as(bad).isEqualTo(422);
            }
        }

        @Test
        @DisplayName("Schemas are JSON Schema draft 2020-12 unless `$schema` names draft-04, -06, -07 or 2019-09;"
                + " `format` is asserted")
        void schemasAreDraft202012UnlessTheyNameAnotherDraft() {
            // prefixItems is 2020-12's: only a 2020-12 schema holds the first item to it
            String tuple = "\"properties\": {\"t\": {\"type\": \"array\", \"prefixItems\": [{\"type\": \"integer\"}]}}";
            String modern = action(owner, "draft.default", "{\"type\": \"object\", " + tuple + "}");
            String draft7 = action(
                    owner,
                    "draft.seven",
                    "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\", " + tuple + "}");
            String draft4 = action(
                    owner,
                    "draft.four",
                    "{\"$schema\": \"http://json-schema.org/draft-04/schema#\", \"type\": \"object\"}");
            String dated = action(
                    owner,
                    "formatted",
                    "{\"properties\": {\"at\": {\"type\": \"string\", \"format\": \"date-time\"}}}");
            assertThat(publishAs(owner, modern, "{\"t\": [\"x\"]}").status()).isEqualTo(422);
            assertThat(publishAs(owner, draft7, "{\"t\": [\"x\"]}").status()).isEqualTo(201);
            assertThat(publishAs(owner, draft4, "{}").status()).isEqualTo(201);
            assertThat(publishAs(owner, dated, "{\"at\": \"yesterday\"}").status())
                    .isEqualTo(422);
            assertThat(publishAs(owner, dated, "{\"at\": \"2026-01-01T00:00:00Z\"}")
                            .status())
                    .isEqualTo(201);
        }

        @Test
        @DisplayName("the schema itself is checked at registration (422 naming the bad keyword); remote `$ref`s are"
                + " never fetched")
        void aBadSchemaIsRefusedAndRemoteRefsAreNeverFetched() {
            Answer bad = actionAnswer(unique("bad.schema"), "{\"type\": \"objekt\"}");
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().path("errors"))
                    .anySatisfy(error -> assertThat(error.path("pointer").asString() + " "
                                    + error.path("message").asString())
                            .startsWith("/schemata")
                            .contains("type"));
            String remote = "/remote-schema-" + unique("ref") + ".json";
            Answer withRemoteRef = actionAnswer(unique("remote.ref"), "{\"$ref\": \"" + receiver.url(remote) + "\"}");
            assertThat(withRemoteRef.status()).isEqualTo(422);
            assertThat(receiver.requests(r -> r.path().equals(remote))).isEmpty();
        }

        @Test
        @DisplayName("`pattern`s run on RE2/J, in time linear in the payload, so no payload can make validation spin;"
                + " RE2 has no look-around or back-references, and a schema that uses them is refused at registration")
        void patternsAreLinearAndLookAroundIsRefused() {
            for (String pattern : List.of("(?=a)b", "(a)\\\\1")) {
                Answer refused = actionAnswer(
                        unique("pattern.refused"), "{\"type\": \"string\", \"pattern\": \"" + pattern + "\"}");
                assertThat(refused.status()).as(pattern).isEqualTo(422);
            }
            String catastrophic = action(
                    owner,
                    "pattern.linear",
                    "{\"properties\": {\"s\": {\"type\": \"string\", \"pattern\": \"^(a+)+$\"}}}");
            Instant before = Instant.now();
            assertThat(publishAs(owner, catastrophic, "{\"s\": \"" + "a".repeat(5000) + "!\"}")
                            .status())
                    .isEqualTo(422);
            // a backtracking engine would take longer than the universe's age on this input; ten seconds is only a
            // bound that no noisy machine reaches in linear time
            assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(10));
        }

        @Test
        @DisplayName("Compatibility modes ...: `backward` (default ...), `forward`, `full`, `none`. An *open* object"
                + " schema ... adding even an optional property to it is not backward compatible; close the schema"
                + " ..., or choose `forward` or `none`")
        void compatibilityModesDecideWhichVersionsAreAccepted() {
            String open = "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}}";
            String openWider = "{\"type\": \"object\","
                    + " \"properties\": {\"a\": {\"type\": \"string\"}, \"b\": {\"type\": \"string\"}}}";
            String closed = "{\"type\": \"object\", \"additionalProperties\": false,"
                    + " \"properties\": {\"a\": {\"type\": \"string\"}}}";
            String closedWider = "{\"type\": \"object\", \"additionalProperties\": false,"
                    + " \"properties\": {\"a\": {\"type\": \"string\"}, \"b\": {\"type\": \"string\"}}}";
            String retyped = "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\"}}}";

            Answer breaking = newVersionAnswer(action(owner, "compat.open", open), openWider);
            assertThat(breaking.status()).isEqualTo(422);
            assertThat(breaking.contentType()).startsWith("application/problem+json");
            newVersion(action(owner, "compat.closed", closed), closedWider);
            newVersion(action(owner, "compat.forward", open, "\"compatibility\": \"forward\""), openWider);
            newVersion(action(owner, "compat.none", open, "\"compatibility\": \"none\""), retyped);
            assertThat(newVersionAnswer(action(owner, "compat.full", open, "\"compatibility\": \"full\""), retyped)
                            .status())
                    .isEqualTo(422);
        }

        @Test
        @DisplayName("`handler` is an absolute http(s) URL, or a path resolved against the subscriber's *current*"
                + " address. Literal loopback ... addresses are refused unless"
                + " `amebo.registry.allow-private-addresses=true` [the standalone's setting: accepted]")
        void aHandlerPathFollowsTheSubscribersCurrentAddress() {
            App subscriber = application("follows", "https://first.example.com/base");
            String action = action(owner, "followed", ANY_OBJECT);
            String subscription = subscribe(subscriber, action);
            String path = "/v1/subscriptions/" + subscription;
            assertThat(expect(http.get(path, subscriber.basic()), 200)
                            .json()
                            .path("endpoint")
                            .asString())
                    .isEqualTo("https://first.example.com/base/" + subscription);
            expect(
                    http.patch(
                            "/v1/applications/" + subscriber.name(),
                            subscriber.basic(),
                            "{\"address\": \"https://second.example.com/v2\"}"),
                    200);
            assertThat(expect(http.get(path, subscriber.basic()), 200)
                            .json()
                            .path("endpoint")
                            .asString())
                    .isEqualTo("https://second.example.com/v2/" + subscription);
            JsonNode absolute = expect(
                            http.patch(path, subscriber.basic(), "{\"handler\": \"http://127.0.0.1:9/absolute\"}"), 200)
                    .json();
            assertThat(absolute.path("endpoint").asString()).isEqualTo("http://127.0.0.1:9/absolute");
            expect(http.delete(path, subscriber.basic()), 204);
        }

        @Test
        @DisplayName("Lists take `page` (from 1) and `pagination` (default 15, at most 100), answer a JSON array in a"
                + " stable order, and give the next page in a `Link: <...>; rel=\"next\"` header")
        void listsComePageByPageInAStableOrder() {
            String prefix = unique("paged");
            for (int i = 0; i < 3; i++) {
                application(prefix);
            }
            String query = "/v1/applications?application=" + prefix + "&pagination=2";
            Answer first = expect(http.get(query, owner.basic()), 200);
            assertThat(first.json()).hasSize(2);
            assertThat(first.next())
                    .contains("application=" + prefix)
                    .contains("page=2")
                    .contains("pagination=2");
            Answer second = expect(http.get(first.next(), owner.basic()), 200);
            assertThat(second.json()).hasSize(1);
            assertThat(second.header("Link")).isNull();
            assertThat(ids(first.json(), "application")).doesNotContainAnyElementsOf(ids(second.json(), "application"));
            assertThat(expect(http.get(query, owner.basic()), 200).json()).isEqualTo(first.json());
            assertThat(http.get("/v1/applications?pagination=101", owner.basic())
                            .status())
                    .isEqualTo(400);
            assertThat(http.get("/v1/applications?page=0", owner.basic()).status())
                    .isEqualTo(400);
            // every list of the registry
            String listed = action(owner, "listed", ANY_OBJECT);
            action(owner, "listed", ANY_OBJECT);
            subscribe(owner, listed);
            subscribe(owner, listed);
            for (String list : List.of("/v1/applications", "/v1/actions", "/v1/subscriptions")) {
                Answer page = expect(http.get(list + "?pagination=1", product.admin), 200);
                assertThat(page.json()).as(list).hasSize(1);
                assertThat(page.next()).as(list).startsWith(list + "?");
            }
        }

        @Test
        @DisplayName("`backfill_from` starts a new subscription at that time instead of its creation: the events"
                + " appended since then are delivered; not in the future, not before the action's retention (422)")
        void backfillFromStartsANewSubscriptionInThePast() {
            String action = action(owner, "backfilled", ANY_OBJECT, "\"retention\": \"1d\"");
            Instant start = Instant.now().minusSeconds(1);
            JsonNode earlier = publish(owner, action, "{\"n\": 1}");
            String subscription = subscribe(owner, action, "\"backfill_from\": \"" + start + "\"");
            JsonNode later = publish(owner, action, "{\"n\": 2}");

            awaitGist(product.admin, subscription, later.path("id").asString(), "delivered");
            awaitGist(product.admin, subscription, earlier.path("id").asString(), "delivered");
            for (Instant bad : new Instant[] {
                Instant.now().minus(Duration.ofDays(2)), Instant.now().plusSeconds(3600)
            }) {
                Answer refused =
                        post("/v1/subscriptions", owner.basic(), """
                        {"application": "%s", "subscription": "%s", "action": "%s", "handler": "/x",
                         "backfill_from": "%s"}""", owner.name(), unique("too-far"), action, bad);
                assertThat(refused.status()).as(bad.toString()).isEqualTo(422);
                assertThat(pointers(refused.json())).containsExactly("/backfill_from");
            }
        }

        @Test
        @DisplayName("Errors are `application/problem+json` with Amebo's `error` member and, for validation,"
                + " `errors: [{pointer, message}]` naming every failing field")
        void errorsAreProblemsNamingEveryFailingField() {
            Answer refused = post("/v1/subscriptions", owner.basic(), """
                    {"application": "%s", "subscription": "-bad", "max_retries": "five"}""", owner.name());
            assertThat(refused.status()).isEqualTo(422);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.json().path("error").asString()).isNotBlank();
            assertThat(pointers(refused.json())).contains("/subscription", "/action", "/handler", "/max_retries");
            assertThat(refused.json().path("errors"))
                    .allSatisfy(error ->
                            assertThat(error.path("message").asString()).isNotBlank());
        }

        @Test
        @DisplayName("Bodies are UTF-8 JSON sent as `application/json`: another charset is a 415, a body in UTF-16 or"
                + " UTF-32 a 400, a member given twice a 400 naming it")
        void bodiesAreUtf8JsonWithEveryMemberOnce() {
            String body = "{\"application\": \"%s\", \"address\": \"https://c.example.com\"}".formatted(unique("cs"));
            Answer latin1 = http.send(
                    "POST",
                    "/v1/applications",
                    product.admin,
                    "application/json; charset=ISO-8859-1",
                    body.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(latin1.status()).isEqualTo(415);
            for (Charset charset :
                    List.of(StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE, Charset.forName("UTF-32"))) {
                Answer wide = http.send(
                        "POST", "/v1/applications", product.admin, "application/json", body.getBytes(charset));
                assertThat(wide.status()).as(charset.name()).isEqualTo(400);
            }
            Answer twice = post("/v1/applications", product.admin, """
                    {"application": "%s", "address": "https://a.example.com", "address": "https://b.example.com"}""", unique("twice"));
            assertThat(twice.status()).isEqualTo(400);
            assertThat(pointers(twice.json())).containsExactly("/address");
        }

        @Test
        @DisplayName("Text fields may not hold NUL characters or unpaired surrogates (422 naming the field ...)")
        void textFieldsHoldNoNulsOrUnpairedSurrogates() {
            for (String bad : List.of("\\u0000", "\\ud800")) {
                Answer refused = post("/v1/actions", owner.basic(), """
                        {"action": "%s", "application": "%s", "schemata": {"type": "object"}, "description": "a%sb"}""", unique("text"), owner.name(), bad);
                assertThat(refused.status()).as(bad).isEqualTo(422);
                assertThat(pointers(refused.json())).as(bad).containsExactly("/description");
            }
        }

        @Test
        @DisplayName("paths and query parameters may not hold control characters (400 naming the parameter)")
        void queryParametersAndPathsHoldNoControlCharacters() {
            Answer refused = http.get("/v1/applications?address=a%01b", owner.basic());
            assertThat(refused.status()).isEqualTo(400);
            assertThat(pointers(refused.json())).containsExactly("/address");
            assertThat(http.get("/v1/applications/a%01b", owner.basic()).status())
                    .isEqualTo(400);
        }

        private Answer actionAnswer(String name) {
            return actionAnswer(name, ANY_OBJECT);
        }

        private Answer actionAnswer(String name, String schema) {
            return post("/v1/actions", owner.basic(), """
                    {"action": "%s", "application": "%s", "schemata": %s}""", name, owner.name(), schema);
        }

        private Answer applicationAnswer(String name) {
            return post("/v1/applications", product.admin, """
                    {"application": "%s", "address": "https://names.example.com"}""", name);
        }

        private Answer newVersionAnswer(String action, String schema) {
            return post("/v1/actions/" + action + "/schemata", owner.basic(), "{\"schemata\": %s}", schema);
        }

        private Answer newVersion(String action, String schema) {
            return expect(newVersionAnswer(action, schema), 201);
        }
    }

    @Nested
    @DisplayName("Subscription filters")
    class SubscriptionFilters {

        private final App owner = application("filter-owner");
        private final App subscriber = application("filter-sub");

        @Test
        @DisplayName("a subscription's `filter` selects the events it receives; the others are committed and counted"
                + " (`amebo_deliveries_filtered_total`), never delivered and never gisted")
        void onlyPremiumUsersReachAPremiumOnlySubscription() {
            String action = action(owner, "user.created", USER_SCHEMA);
            String subscription = subscribe(subscriber, action, """
                    "filter": {"payload.plan": {"$in": ["premium"]}}""");
            publish(
                    owner,
                    action,
                    "{\"user_id\": \"f\", \"email\": \"f@example.com\"," + " \"name\": \"F\", \"plan\": \"free\"}");
            publish(owner, action, user("n")); // no plan at all: a missing field is not in the list
            JsonNode premium = publish(
                    owner,
                    action,
                    "{\"user_id\": \"p\", \"email\": \"p@example.com\"," + " \"name\": \"P\", \"plan\": \"premium\"}");

            awaitGist(product.admin, subscription, premium.path("id").asString(), "delivered");
            assertThat(deliveries(subscription))
                    .extracting(r -> r.header("webhook-id"))
                    .containsExactly(premium.path("id").asString());
            Answer gists = http.get("/v1/gists?pagination=100&subscription=" + subscription, product.admin);
            assertThat(gists.json()).hasSize(1);
            await().atMost(SOON)
                    .untilAsserted(() -> assertThat(http.get("/metrics", null).body())
                            .containsPattern("amebo_deliveries_filtered_total\\{[^}]*"
                                    + tag("subscription", subscription) + "[^}]*} 2.0"));
        }

        @Test
        @DisplayName("dotted paths reach into nested objects and arrays; a missing field matches only `$exists: false`,"
                + " `$ne` and `$nin`")
        void pathsReachIntoArraysAndMissingFieldsAreFalse() {
            String action = action(owner, "order.placed", ANY_OBJECT);
            String books = subscribe(subscriber, action, """
                    "filter": {"payload.items.sku": "book-1", "payload.coupon": {"$exists": false}}""");
            JsonNode book = publish(owner, action, "{\"items\": [{\"sku\": \"pen\"}, {\"sku\": \"book-1\"}]}");
            publish(owner, action, "{\"items\": [{\"sku\": \"book-1\"}], \"coupon\": \"X\"}");
            publish(owner, action, "{\"items\": \"book-1\"}");
            JsonNode last = publish(owner, action, "{\"items\": [{\"sku\": \"book-1\"}]}");

            awaitGist(product.admin, books, last.path("id").asString(), "delivered");
            assertThat(deliveries(books))
                    .extracting(r -> r.header("webhook-id"))
                    .containsExactlyInAnyOrder(
                            book.path("id").asString(), last.path("id").asString());
        }

        @Test
        @DisplayName("a filter is checked when the subscription is made: a path the action's schema cannot have, or a"
                + " value it can never equal, is a 422 naming it")
        void aFilterTheSchemaRefutesIsRefused() {
            String action = action(owner, "user.created", """
                    {"type": "object", "additionalProperties": false,
                     "properties": {"plan": {"type": "string", "enum": ["free", "premium"]}}}""");
            for (String[] bad : new String[][] {
                {"{\"payload.plann\": \"premium\"}", "/filter/payload.plann"},
                {"{\"payload.plan\": \"premum\"}", "/filter/payload.plan"},
                {"{\"payload.plan\": {\"$regex\": \"p\"}}", "/filter/payload.plan/$regex"}
            }) {
                Answer refused = post(
                        "/v1/subscriptions",
                        subscriber.basic(),
                        """
                        {"application": "%s", "subscription": "%s", "action": "%s", "handler": "/x", "filter": %s}""",
                        subscriber.name(),
                        unique("bad-filter"),
                        action,
                        bad[0]);
                assertThat(refused.status()).as(bad[0]).isEqualTo(422);
                assertThat(pointers(refused.json())).as(bad[0]).containsExactly(bad[1]);
            }
        }
    }

    @Nested
    @DisplayName("Observability")
    class Observability {

        @Test
        @DisplayName("`/health` is liveness (200 while the process serves HTTP), `/health/ready` readiness: Kafka (and"
                + " PostgreSQL for the registry) must answer")
        void healthAndReadinessAnswer() {
            assertThat(http.get("/health", null).status()).isEqualTo(200);
            JsonNode ready = expect(http.get("/health/ready", null), 200).json();
            assertThat(ready.path("components").path("kafka").path("status").asString())
                    .isEqualTo("UP");
            assertThat(ready.path("components").path("r2dbc").path("status").asString())
                    .isEqualTo("UP");
        }

        @Test
        @DisplayName("`/metrics` is Prometheus text")
        void metricsArePrometheusText() {
            Answer metrics = expect(http.get("/metrics", null), 200);
            assertThat(metrics.contentType()).startsWith("text/plain");
            assertThat(metrics.body()).contains("# TYPE ").contains("# HELP ");
        }

        @Test
        @DisplayName("A publish's `X-Request-Id` (or the id the gateway gives it, returned in the response's"
                + " `X-Request-Id`) travels with the event (`amebo_correlation_id` header) and reaches the handler as"
                + " `X-Request-Id` on every delivery")
        void aPublishsRequestIdReachesTheHandlerOnEveryDelivery() {
            App publisher = application("correlated-pub");
            String action = action(publisher, "correlated", ANY_OBJECT);
            String subscription = subscribe(application("correlated-sub"), action, "\"max_retries\": 2");
            AtomicInteger calls = new AtomicInteger();
            REPLIES.put(
                    pathOf(subscription), r -> calls.incrementAndGet() == 1 ? Reply.status(500) : Reply.status(200));
            String requestId = "correlation-" + subscription;
            Answer published =
                    http.post("/v1/events", publisher.basic(), event(action, "{}", ""), "X-Request-Id", requestId);
            expect(published, 201);
            assertThat(published.header("X-Request-Id")).isEqualTo(requestId);
            assertThat(header(recordOf(action, published.json()), "amebo_correlation_id"))
                    .isEqualTo(requestId);
            awaitGist(product.admin, subscription, id(published.json()), "delivered");
            assertThat(deliveries(subscription))
                    .hasSize(2)
                    .extracting(r -> r.header("X-Request-Id"))
                    .containsOnly(requestId);
        }
    }

    @Nested
    @DisplayName("Operating endpoints (every service)")
    class OperatingEndpoints {

        @Test
        @DisplayName("`GET /health` (anyone): liveness: 200 while the process serves HTTP; the body lists the"
                + " components")
        void healthListsTheComponents() {
            JsonNode components = expect(http.get("/health", null), 200).json().path("components");
            assertThat(components.path("kafka").path("status").asString()).isEqualTo("UP");
            assertThat(components.path("r2dbc").path("status").asString()).isEqualTo("UP");
        }

        @Test
        @DisplayName("`GET /health/ready` (anyone): readiness: 503 until the service can do its work (Kafka answers;"
                + " for the registry, PostgreSQL too) [then 200]")
        void readinessAnswers200OnceKafkaAndPostgresAnswer() {
            assertThat(expect(http.get("/health/ready", null), 200)
                            .json()
                            .path("status")
                            .asString())
                    .isEqualTo("UP");
        }

        @Test
        @DisplayName("`GET /health/live` (anyone): the liveness state alone")
        void livenessIsTheLivenessStateAlone() {
            JsonNode live = expect(http.get("/health/live", null), 200).json();
            assertThat(live.path("status").asString()).isEqualTo("UP");
            assertThat(live.path("components").path("kafka").isMissingNode()).isTrue();
        }

        @Test
        @DisplayName("`GET /metrics` (anyone): Prometheus text, every series tagged `service=\"<name>\"`")
        void everySeriesIsTaggedWithTheService() {
            List<String> series = expect(http.get("/metrics", null), 200)
                    .body()
                    .lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .toList();
            assertThat(series).isNotEmpty().allMatch(line -> line.contains("service=\"standalone\""));
        }
    }

    @Nested
    @DisplayName("Configuration")
    class Configuration {

        @Test
        @DisplayName("`amebo.registry.partitions` `3`, `amebo.registry.retention` `7d`, `amebo.registry.max-retries`"
                + " `5`, `amebo.auth.token-lifetime` `1h` [the defaults in effect]")
        void theDocumentedDefaultsAreInEffect() throws Exception {
            App app = application("defaults");
            String action = action(app, "defaults", ANY_OBJECT);
            assertThat(partitions("amebo." + action)).isEqualTo(3);
            assertThat(topicConfig("amebo." + action).get("retention.ms").value())
                    .isEqualTo(String.valueOf(Duration.ofDays(7).toMillis()));
            String subscription = subscribe(app, action);
            assertThat(expect(http.get("/v1/subscriptions/" + subscription, app.basic()), 200)
                            .json()
                            .path("max_retries")
                            .asInt())
                    .isEqualTo(5);
            assertThat(expect(post("/v1/tokens", null, """
                    {"application": "%s", "secret": "%s"}""", app.name(), app.secret()), 200)
                            .json()
                            .path("expires_in")
                            .asInt())
                    .isEqualTo(3600);
        }

        @Test
        @DisplayName("`amebo.gateway.max-body-size` `1MB`: the largest publish request; larger gets 413;"
                + " `amebo.gateway.max-batch-items` `1000`")
        void theGatewaysLimitsAreTheDocumentedDefaults() {
            App app = application("limits");
            String action = action(app, "limits", ANY_OBJECT);
            String underOneMegabyte = event(action, "{\"pad\": \"" + "p".repeat(1_000_000) + "\"}", "");
            String overOneMegabyte = event(action, "{\"pad\": \"" + "p".repeat(1_048_576) + "\"}", "");
            assertThat(http.post("/v1/events", app.basic(), underOneMegabyte).status())
                    .isEqualTo(201);
            assertThat(http.post("/v1/events", app.basic(), overOneMegabyte).status())
                    .isEqualTo(413);
            String thousand = IntStream.range(0, 1000)
                    .mapToObj(i -> event(action, "{}", ""))
                    .collect(Collectors.joining(",", "[", "]"));
            assertThat(http.post("/v1/events/batch", app.basic(), thousand).status())
                    .isEqualTo(200);
        }
    }

    // ---- registrations ------------------------------------------------------------------------------------------

    /** A registered application and its secret. */
    record App(String name, String secret) {
        String basic() {
            return RunningProduct.basic(name, secret);
        }
    }

    /** A unique name (the product is shared by every test of this class). */
    static String unique(String prefix) {
        return prefix + "-" + RUN + "-" + NAMES.incrementAndGet();
    }

    /** Registers an application (as the admin) whose address is the receiver, with a secret of its own. */
    static App application(String prefix) {
        return application(prefix, receiver.url("/"));
    }

    static App application(String prefix, String address) {
        String name = unique(prefix);
        return register(name, address, "secret-of-" + name);
    }

    /** Registers an application with a secret of the caller's choosing. */
    static App application(String prefix, String address, String secret) {
        return register(unique(prefix), address, secret);
    }

    private static App register(String name, String address, String secret) {
        expect(post("/v1/applications", product.admin, """
                {"application": "%s", "address": "%s", "secret": "%s"}""", name, address, secret), 201);
        return new App(name, secret);
    }

    /** Registers an application whose secret Amebo generates, at the receiver's address. */
    static App applicationWithGeneratedSecret(String prefix) {
        String name = unique(prefix);
        String secret = expect(post("/v1/applications", product.admin, """
                {"application": "%s", "address": "%s"}""", name, receiver.url("/")), 201)
                .json()
                .path("secret")
                .asString();
        return new App(name, secret);
    }

    /** Registers an action of {@code owner} (as the owner); {@code more} are further members, as JSON. */
    static String action(App owner, String prefix, String schema, String... more) {
        String name = unique(prefix);
        expect(post("/v1/actions", owner.basic(), """
                {"action": "%s", "application": "%s", "schemata": %s%s}""", name, owner.name(), schema, members(more)), 201);
        return name;
    }

    /** Subscribes {@code subscriber} (as itself); the handler is the receiver's path named after the subscription. */
    static String subscribe(App subscriber, String action, String... more) {
        return subscribe(subscriber.basic(), subscriber, action, more);
    }

    /** Subscribes {@code subscriber} as the admin. */
    static String subscribeAsAdmin(App subscriber, String action, String... more) {
        return subscribe(product.admin, subscriber, action, more);
    }

    private static String subscribe(String authorization, App subscriber, String action, String... more) {
        String name = unique("sub");
        expect(
                post(
                        "/v1/subscriptions",
                        authorization,
                        """
                {"application": "%s", "subscription": "%s", "action": "%s", "handler": "%s"%s}""",
                        subscriber.name(),
                        name,
                        action,
                        pathOf(name),
                        members(more)),
                201);
        return name;
    }

    /** The receiver's path for a subscription's deliveries. */
    static String pathOf(String subscription) {
        return "/" + subscription;
    }

    /** Publishes (as the owner) and answers the 201's body; {@code more} are further members, as JSON. */
    static JsonNode publish(App publisher, String action, String payload, String... more) {
        return expect(publishAs(publisher, action, payload, more), 201).json();
    }

    static Answer publishAs(App publisher, String action, String payload, String... more) {
        return http.post("/v1/events", publisher.basic(), event(action, payload, more));
    }

    /** One event as the gateway takes it: action, payload (JSON) and further members (JSON). */
    static String event(String action, String payload, String... more) {
        return "{\"action\": \"%s\", \"payload\": %s%s}".formatted(action, payload, members(more));
    }

    private static String members(String... more) {
        return Arrays.stream(more).filter(m -> !m.isEmpty()).map(m -> ", " + m).collect(Collectors.joining());
    }

    /** A payload of the walkthrough's {@code user.created}. */
    static String user(String id) {
        return "{\"user_id\": \"%s\", \"email\": \"%s@example.com\", \"name\": \"Ada\"}".formatted(id, id);
    }

    // ---- deliveries and gists -----------------------------------------------------------------------------------

    /** Every request the receiver got for a subscription, in arrival order. */
    static List<Received> deliveries(String subscription) {
        return receiver.requests(r -> r.path().equals(pathOf(subscription)));
    }

    /** The first request to {@code path} carrying event {@code eventId}, once it arrived. */
    static Received awaitRequest(String path, String eventId) {
        return await().atMost(SOON)
                .until(
                        () ->
                                receiver
                                        .requests(r -> r.path().equals(path) && eventId.equals(r.header("webhook-id")))
                                        .stream()
                                        .findFirst(),
                        Optional::isPresent)
                .get();
    }

    /**
     * Waits until {@code GET path} answers {@code status} to this credential. Services authenticate from their registry
     * view, which learns of a new or rotated secret from the changelog a fraction of a second after the registry
     * answered (the registry's authentication says so): a credential check right after a change waits for that.
     */
    static void awaitStatus(String path, String authorization, int status) {
        await().atMost(SOON)
                .untilAsserted(
                        () -> assertThat(http.get(path, authorization).status()).isEqualTo(status));
    }

    /** The gist of one event to one subscription, once it has {@code status}. */
    static JsonNode awaitGist(String authorization, String subscription, String eventId, String status) {
        String query = "/v1/gists?pagination=100&subscription=" + subscription;
        return await().atMost(SOON)
                .until(() -> gist(http.get(query, authorization), eventId, status), Optional::isPresent)
                .get();
    }

    private static Optional<JsonNode> gist(Answer gists, String eventId, String status) {
        if (gists.status() != 200) {
            return Optional.empty();
        }
        for (JsonNode gist : gists.json()) {
            if (gist.path("event").asString().equals(eventId)
                    && gist.path("status").asString().equals(status)) {
                return Optional.of(gist);
            }
        }
        return Optional.empty();
    }

    /** {@code webhook-signature} as Standard Webhooks computes it: v1,base64(HMAC-SHA256(key, id.timestamp.body)). */
    static String standardSignature(byte[] key, Received request) throws Exception {
        String signed = request.header("webhook-id") + "." + request.header("webhook-timestamp") + ".";
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(utf8(signed));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(request.body()));
    }

    /** {@code X-Amebo-Signature}: sha256=hex(HMAC-SHA256(key, body)). */
    static String ameboSignature(byte[] key, Received request) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(request.body()));
    }

    /** The signing key of a {@code whsec_<base64>} secret: the decoded bytes. */
    static byte[] whsecKey(String secret) {
        assertThat(secret).startsWith("whsec_");
        return Base64.getDecoder().decode(secret.substring("whsec_".length()));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // ---- Kafka --------------------------------------------------------------------------------------------------

    static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", product.bootstrapServers()));
    }

    static Config topicConfig(String topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                    .all()
                    .get()
                    .values()
                    .iterator()
                    .next();
        }
    }

    static int partitions(String topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions()
                    .size();
        }
    }

    static List<String> groups() throws Exception {
        try (Admin admin = admin()) {
            return admin.listGroups().all().get().stream()
                    .map(GroupListing::groupId)
                    .toList();
        }
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(
                Map.of("bootstrap.servers", product.bootstrapServers(), "enable.auto.commit", "false"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    /** The record a publish's answer says was appended. */
    static ConsumerRecord<String, byte[]> recordOf(String action, JsonNode published) {
        return record(
                "amebo." + action,
                published.path("partition").asInt(),
                published.path("offset").asLong());
    }

    static ConsumerRecord<String, byte[]> record(String topic, int partition, long offset) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            TopicPartition where = new TopicPartition(topic, partition);
            consumer.assign(List.of(where));
            consumer.seek(where, offset);
            long deadline = System.nanoTime() + SOON.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() == offset) {
                        return record;
                    }
                }
            }
            throw new AssertionError("no record at " + where + "@" + offset);
        }
    }

    /** Every record of a topic, from its beginning to its end as it is now. */
    static List<ConsumerRecord<String, byte[]>> allRecords(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + SOON.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    // ---- JSON and HTTP ------------------------------------------------------------------------------------------

    /** POSTs a JSON body written as a template ({@link String#formatted}). */
    static Answer post(String path, String authorization, String template, Object... values) {
        return http.post(path, authorization, template.formatted(values));
    }

    static Answer expect(Answer answer, int status) {
        assertThat(answer.status()).as("%s", answer).isEqualTo(status);
        return answer;
    }

    static JsonNode raw(String json) {
        return JSON.readTree(json);
    }

    static String id(JsonNode event) {
        return event.path("id").asString();
    }

    static Instant time(JsonNode event) {
        return Instant.parse(event.path("timestamped").asString());
    }

    static List<String> ids(JsonNode array) {
        return ids(array, "id");
    }

    static List<String> ids(JsonNode array, String field) {
        List<String> ids = new ArrayList<>();
        array.forEach(item -> ids.add(item.path(field).asString()));
        return ids;
    }

    static List<Instant> times(JsonNode array) {
        List<Instant> times = new ArrayList<>();
        array.forEach(item -> times.add(time(item)));
        return times;
    }

    static List<Integer> statuses(JsonNode results) {
        List<Integer> statuses = new ArrayList<>();
        results.forEach(result -> statuses.add(result.path("status").asInt()));
        return statuses;
    }

    /** The member names of a JSON object, in order. */
    static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.propertyNames().forEach(names::add);
        return names;
    }

    /** The pointers of a problem's {@code errors}. */
    static List<String> pointers(JsonNode problem) {
        List<String> pointers = new ArrayList<>();
        problem.path("errors")
                .forEach(error -> pointers.add(error.path("pointer").asString()));
        return pointers;
    }

    /** The sample lines of one series name in Prometheus text. */
    static List<String> series(String metrics, String name) {
        return metrics.lines().filter(line -> line.startsWith(name + "{")).toList();
    }

    static String tag(String name, String value) {
        return name + "=\"" + value + "\"";
    }
}
