package io.amebo.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.amebo.client.AmeboClient;
import io.amebo.client.Event;
import io.amebo.client.NewAction;
import io.amebo.client.Replay;
import io.amebo.client.WebhookDelivery;
import io.amebo.client.WebhookVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed example ({@code shared/seed/microservices-example.md}) end to end, written with the Java client: the user,
 * order, email and analytics services are real HTTP services on this machine; the four registrations use the seed's
 * schemas; the user-registration and order flows, the saga's and the event-sourced aggregate's events; a service
 * catching up with {@code get_events(from, to)} across actions, and Amebo's own replay; health and metrics. It asserts
 * what the seed's integration test asserts: the welcome email went to the new user, and analytics saw
 * {@code user.created} and {@code order.placed}.
 *
 * <p>Runs on a product of its own, on a fresh data directory, so the seed's names are free.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedExampleIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private static RunningProduct product;
    private static AmeboClient admin;
    private static UserService users;
    private static OrderService orders;
    private static EmailService email;
    private static AnalyticsService analytics;
    private static Instant start;

    @BeforeAll
    static void registerTheSeedsServices() throws IOException {
        product = RunningProduct.start();
        start = Instant.now().minusSeconds(1);
        admin = AmeboClient.builder()
                .baseUrl(product.url())
                .adminToken(product.admin.substring("Bearer ".length()))
                .build();
        email = new EmailService();
        analytics = new AnalyticsService();

        // Services Setup: the applications (only the admin registers them) and their actions, as the seed has them
        admin.applications().create("user-service", "https://users.myapp.com", "user-service-secret");
        admin.applications().create("order-service", "https://orders.myapp.com", "order-service-secret");
        admin.applications().create("email-service", email.url(), "email-service-secret");
        admin.applications().create("analytics-service", analytics.url(), "analytics-service-secret");
        email.amebo = admin.withApplication("email-service", "email-service-secret");
        analytics.amebo = admin.withApplication("analytics-service", "analytics-service-secret");
        AmeboClient userService = admin.withApplication("user-service", "user-service-secret");
        AmeboClient orderService = admin.withApplication("order-service", "order-service-secret");
        userService.actions().create("user.created", "user-service", JSON.readTree("""
                {"type": "object",
                 "properties": {"user_id": {"type": "string"}, "email": {"type": "string", "format": "email"},
                                "name": {"type": "string"}, "plan": {"type": "string", "enum": ["free", "premium"]}},
                 "required": ["user_id", "email", "name"]}"""));
        orderService.actions().create("order.placed", "order-service", JSON.readTree("""
                {"type": "object",
                 "properties": {"order_id": {"type": "string"}, "user_id": {"type": "string"},
                                "items": {"type": "array"}, "total": {"type": "number"}, "currency": {"type": "string"}},
                 "required": ["order_id", "user_id", "items", "total"]}"""));
        // the saga's and the event-sourced aggregate's actions (the seed publishes them without showing their schemas)
        orderService.actions().create("inventory.reserve_requested", "order-service", JSON.readTree("""
                {"type": "object", "properties": {"order_id": {"type": "string"}, "items": {"type": "array"}},
                 "required": ["order_id", "items"]}"""));
        orderService.actions().create("payment.process_requested", "order-service", JSON.readTree("""
                {"type": "object", "properties": {"order_id": {"type": "string"}, "amount": {"type": "number"},
                 "user_id": {"type": "string"}}, "required": ["order_id", "amount", "user_id"]}"""));
        orderService.actions().create("order.processing_failed", "order-service", JSON.readTree("""
                {"type": "object", "properties": {"order_id": {"type": "string"}, "error": {"type": "string"}},
                 "required": ["order_id", "error"]}"""));
        userService
                .actions()
                .create(NewAction.of("user.email_updated", "user-service", JSON.readTree("""
                                {"type": "object", "properties": {"user_id": {"type": "string"},
                                 "old_email": {"type": "string", "format": "email"},
                                 "new_email": {"type": "string", "format": "email"}},
                                 "required": ["user_id", "new_email"]}"""))
                        .withRetention("forever")
                        .withDescription("event sourcing: the user aggregate's history"));

        // Service Integrations: each subscriber subscribes itself
        email.amebo()
                .subscriptions()
                .create("email-service", "welcome-emails", "user.created", email.url() + "/webhooks/user-created");
        analytics
                .amebo()
                .subscriptions()
                .create("analytics-service", "user-analytics", "user.created", analytics.url() + "/webhooks/events");
        analytics
                .amebo()
                .subscriptions()
                .create("analytics-service", "order-analytics", "order.placed", analytics.url() + "/webhooks/events");

        users = new UserService(userService);
        orders = new OrderService(orderService);
    }

    @AfterAll
    static void stopTheServices() {
        if (product != null) {
            product.close();
        }
        for (LocalService service : new LocalService[] {users, orders, email, analytics}) {
            if (service != null) {
                service.close();
            }
        }
    }

    /** The seed's {@code test_user_registration_flow}, and the order flow beside it. */
    @Test
    @Order(1)
    void aNewUserGetsTheWelcomeEmailAndAnalyticsSeesTheUserAndTheOrder() {
        HttpResponse<String> created = users.call("/users", """
                {"email": "test@example.com", "name": "Test User"}""");
        assertThat(created.statusCode()).isEqualTo(201);
        String userId = JSON.readTree(created.body()).path("id").asString();
        HttpResponse<String> ordered = orders.call("/orders", """
                {"user_id": "%s", "items": [{"sku": "book-1", "quantity": 2}], "total": 42.5, "currency": "EUR"}""".formatted(userId));
        assertThat(ordered.statusCode()).isEqualTo(201);

        await().atMost(DELIVERY).untilAsserted(() -> {
            assertThat(email.sent).anyMatch(e -> e.to().equals("test@example.com"));
            assertThat(analytics.events).anyMatch(e -> e.action().equals("user.created"));
            assertThat(analytics.events).anyMatch(e -> e.action().equals("order.placed"));
        });
        Email welcome = email.sent.stream()
                .filter(e -> e.to().equals("test@example.com"))
                .findFirst()
                .orElseThrow();
        assertThat(welcome.name()).isEqualTo("Test User");
        assertThat(welcome.plan()).isEqualTo("free"); // the seed's default: the user gave none
        WebhookDelivery tracked = analytics.events.stream()
                .filter(e -> e.action().equals("order.placed"))
                .findFirst()
                .orElseThrow();
        assertThat(tracked.payload().path("user_id").asString()).isEqualTo(userId);
        assertThat(tracked.payload().path("total").asDouble()).isEqualTo(42.5);
        assertThat(tracked.application()).isEqualTo("order-service");
        assertThat(tracked.subscription()).isEqualTo("order-analytics");
    }

    /** The seed's saga: reserve inventory, process payment, and compensate when a step fails. */
    @Test
    @Order(2)
    void theSagaPublishesItsStepsAndItsCompensation() {
        orders.processOrder("o-saga-1", "u1", List.of(Map.of("sku", "book-1")), 10.0, null);
        orders.processOrder("o-saga-2", "u1", List.of(Map.of("sku", "book-2")), 99.0, "payment provider down");

        List<Event> saga = orders.amebo()
                .getEvents(
                        List.of("inventory.reserve_requested", "payment.process_requested", "order.processing_failed"),
                        start,
                        Instant.now().plusSeconds(1))
                .toList();

        assertThat(saga)
                .extracting(e -> e.payload().path("order_id").asString() + " " + e.action())
                .containsSubsequence("o-saga-1 inventory.reserve_requested", "o-saga-1 payment.process_requested")
                .containsSubsequence("o-saga-2 inventory.reserve_requested", "o-saga-2 order.processing_failed")
                .doesNotContain("o-saga-1 order.processing_failed");
        assertThat(saga)
                .filteredOn(e -> e.action().equals("order.processing_failed"))
                .singleElement()
                .satisfies(e -> assertThat(e.payload().path("error").asString()).isEqualTo("payment provider down"));
    }

    /** The seed's event-sourced user aggregate: its state is rebuilt from its events, read back from Amebo. */
    @Test
    @Order(3)
    void anEventSourcedUserIsRebuiltFromItsEvents() {
        UserAggregate ada = new UserAggregate("u-es-1");
        users.amebo().publishEvent("user.created", ada.create("ada@example.com", "Ada"));
        users.amebo().publishEvent("user.email_updated", ada.updateEmail("ada.lovelace@example.com"));
        users.amebo().publishEvent("user.email_updated", ada.updateEmail("countess.lovelace@example.com"));

        UserAggregate rebuilt = new UserAggregate("u-es-1");
        users.amebo()
                .getEvents(
                        List.of("user.created", "user.email_updated"),
                        start,
                        Instant.now().plusSeconds(1))
                .filter(e -> e.payload().path("user_id").asString().equals("u-es-1"))
                .forEach(e -> rebuilt.apply(e.action(), e.payload()));

        assertThat(rebuilt.email).isEqualTo("countess.lovelace@example.com");
        assertThat(rebuilt.name).isEqualTo("Ada");
        assertThat(rebuilt.version).isEqualTo(3);
    }

    /**
     * The seed's {@code replay_events_for_service}: {@code get_events(from_date, to_date)} with no action gives every
     * event the service may read (those of the actions it subscribes to), and the service feeds them to its webhook.
     */
    @Test
    @Order(4)
    void aServiceCatchesUpWithGetEventsAcrossActions() {
        Instant to = Instant.now().plusSeconds(1);
        List<Event> missed = analytics.amebo().getEvents(start, to).toList();
        missed.forEach(analytics::postToOwnReplayWebhook);

        assertThat(analytics.replayed)
                .extracting(e -> e.path("action").asString())
                .contains("user.created", "order.placed")
                // the saga's and the aggregate's actions are order-service's and user-service's, and analytics has
                // no subscription to them: none of their events reached it
                .allMatch(action -> action.equals("user.created") || action.equals("order.placed"));
        assertThat(missed).extracting(Event::timestamped).isSortedAccordingTo(Instant::compareTo);
        // the user-service reads its own actions across the same range: user.created and the email updates
        assertThat(users.amebo().getEvents(start, to).map(Event::action).distinct())
                .containsExactlyInAnyOrder("user.created", "user.email_updated");
    }

    /** Amebo's built-in replay: a time window delivered again to one subscription, with the events' own ids. */
    @Test
    @Order(5)
    void theBuiltInReplayDeliversTheWindowAgainWithTheOriginalIds() {
        List<String> firstTime = analytics.events.stream()
                .filter(e -> e.subscription().equals("user-analytics"))
                .map(WebhookDelivery::id)
                .toList();
        assertThat(firstTime).isNotEmpty();
        int before = analytics.events.size();

        Replay replay = analytics
                .amebo()
                .subscriptions()
                .replay("user-analytics", start, Instant.now().plusSeconds(1));
        await().atMost(DELIVERY)
                .until(() -> analytics
                        .amebo()
                        .subscriptions()
                        .getReplay("user-analytics", replay.replay())
                        .finished());

        Replay done = analytics.amebo().subscriptions().getReplay("user-analytics", replay.replay());
        assertThat(done.status()).isEqualTo("done");
        assertThat(done.delivered()).isEqualTo(done.total()).isGreaterThanOrEqualTo(2);
        await().atMost(DELIVERY)
                .untilAsserted(() -> assertThat(analytics.events.subList(before, analytics.events.size()))
                        .extracting(WebhookDelivery::id)
                        .containsAll(firstTime));
    }

    /** The seed's monitoring: the services check Amebo's health, and its metrics count what was published. */
    @Test
    @Order(6)
    void healthAndMetricsShowWhatHappened() {
        RunningProduct.Answer ready = product.send("GET", "/health/ready", null, null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body())
                        .path("components")
                        .path("kafka")
                        .path("status")
                        .asString())
                .isEqualTo("UP");

        RunningProduct.Answer metrics = product.send("GET", "/metrics", null, null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body())
                .containsPattern("amebo_events_published_total\\{[^}]*action=\"user.created\"[^}]*} [1-9]")
                .containsPattern("amebo_events_published_total\\{[^}]*action=\"order.placed\"[^}]*} [1-9]")
                .containsPattern("amebo_deliveries_delivered_total\\{[^}]*subscription=\"welcome-emails\"[^}]*} [1-9]");
    }

    // ---- the seed's services, as real HTTP services on this machine ----

    /** One HTTP service on a free local port; each route reads a JSON body and answers a status and a JSON body. */
    private abstract static class LocalService implements AutoCloseable {

        record Answer(int status, Object body) {}

        private final HttpServer server;
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final HttpClient http = HttpClient.newHttpClient();

        LocalService() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.setExecutor(threads);
            server.start();
        }

        /** {@code POST path}: {@code handler} gets the request's headers and body. */
        final void route(String path, BiFunction<Map<String, List<String>>, byte[], Answer> handler) {
            server.createContext(path, exchange -> {
                Answer answer;
                try {
                    answer = handler.apply(
                            exchange.getRequestHeaders(),
                            exchange.getRequestBody().readAllBytes());
                } catch (RuntimeException e) {
                    answer = new Answer(500, Map.of("error", String.valueOf(e.getMessage())));
                }
                byte[] body = JSON.writeValueAsBytes(answer.body());
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(answer.status(), body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        /** A POST to one of its routes, as the seed's API gateway (or the service itself) sends it. */
        HttpResponse<String> call(String path, String json) {
            try {
                return http.send(
                        HttpRequest.newBuilder(URI.create(url() + path))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(json))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    /** The seed's user service: {@code POST /users} creates the user and publishes {@code user.created}. */
    private static final class UserService extends LocalService {
        private final AmeboClient amebo;

        UserService(AmeboClient amebo) {
            this.amebo = amebo;
            route("/users", (headers, body) -> {
                JsonNode request = JSON.readTree(body);
                Map<String, Object> user = new LinkedHashMap<>();
                user.put("user_id", "u-" + System.nanoTime());
                user.put("email", request.path("email").asString());
                user.put("name", request.path("name").asString());
                user.put("plan", request.path("plan").asString("free"));
                user.put("created_at", Instant.now().toString());
                amebo.publishEvent("user.created", user);
                return new Answer(201, Map.of("id", user.get("user_id"), "email", user.get("email")));
            });
        }

        AmeboClient amebo() {
            return amebo;
        }
    }

    /** The seed's order service: {@code POST /orders} publishes {@code order.placed}; the saga is below. */
    private static final class OrderService extends LocalService {
        private final AmeboClient amebo;

        OrderService(AmeboClient amebo) {
            this.amebo = amebo;
            route("/orders", (headers, body) -> {
                JsonNode request = JSON.readTree(body);
                Map<String, Object> order = new LinkedHashMap<>();
                order.put("order_id", "o-" + System.nanoTime());
                order.put("user_id", request.path("user_id").asString());
                order.put("items", request.path("items"));
                order.put("total", request.path("total").asDouble());
                order.put("currency", request.path("currency").asString());
                order.put("placed_at", Instant.now().toString());
                amebo.publishEvent("order.placed", order);
                return new Answer(201, order);
            });
        }

        AmeboClient amebo() {
            return amebo;
        }

        /** The seed's {@code process_order}: a step that fails ({@code failure}) is compensated. */
        void processOrder(
                String orderId, String userId, List<Map<String, String>> items, double total, String failure) {
            try {
                amebo.publishEvent("inventory.reserve_requested", Map.of("order_id", orderId, "items", items));
                if (failure != null) {
                    throw new IllegalStateException(failure);
                }
                amebo.publishEvent(
                        "payment.process_requested", Map.of("order_id", orderId, "amount", total, "user_id", userId));
            } catch (IllegalStateException e) {
                amebo.publishEvent("order.processing_failed", Map.of("order_id", orderId, "error", e.getMessage()));
            }
        }
    }

    record Email(String to, String name, String plan) {}

    /** The seed's email service: {@code POST /webhooks/user-created} verifies the delivery and sends a welcome. */
    private static final class EmailService extends LocalService {
        final List<Email> sent = new CopyOnWriteArrayList<>();
        private final WebhookVerifier verifier = WebhookVerifier.of("email-service-secret");

        EmailService() {
            route("/webhooks/user-created", (headers, body) -> {
                WebhookDelivery event = verifier.verify(headers, body);
                JsonNode user = event.payload();
                sent.add(new Email(
                        user.path("email").asString(),
                        user.path("name").asString(),
                        user.path("plan").asString("free")));
                return new Answer(200, Map.of("status", "processed"));
            });
        }

        /** The service's own client, once its application is registered. */
        AmeboClient amebo;

        AmeboClient amebo() {
            return amebo;
        }
    }

    /** The seed's analytics: {@code POST /webhooks/events} tracks deliveries, {@code /webhooks/replay} replays. */
    private static final class AnalyticsService extends LocalService {
        final List<WebhookDelivery> events = new CopyOnWriteArrayList<>();
        final List<JsonNode> replayed = new CopyOnWriteArrayList<>();
        private final WebhookVerifier verifier = WebhookVerifier.of("analytics-service-secret");

        AnalyticsService() {
            route("/webhooks/events", (headers, body) -> {
                events.add(verifier.verify(headers, body));
                return new Answer(200, Map.of("status", "tracked"));
            });
            route("/webhooks/replay", (headers, body) -> {
                replayed.add(JSON.readTree(body));
                return new Answer(200, Map.of("status", "tracked"));
            });
        }

        /** The service's own client, once its application is registered. */
        AmeboClient amebo;

        AmeboClient amebo() {
            return amebo;
        }

        /** What the seed's {@code replay_events_for_service} does with each event it reads. */
        void postToOwnReplayWebhook(Event event) {
            assertThat(call("/webhooks/replay", JSON.writeValueAsString(event)).statusCode())
                    .isEqualTo(200);
        }
    }

    /** The seed's event-sourced {@code User}: its state is what its events say. */
    private static final class UserAggregate {
        final String userId;
        String email;
        String name;
        int version;

        UserAggregate(String userId) {
            this.userId = userId;
        }

        Map<String, Object> create(String email, String name) {
            Map<String, Object> payload = Map.of(
                    "user_id",
                    userId,
                    "email",
                    email,
                    "name",
                    name,
                    "created_at",
                    Instant.now().toString());
            apply("user.created", JSON.valueToTree(payload));
            return payload;
        }

        Map<String, Object> updateEmail(String newEmail) {
            Map<String, Object> payload = Map.of(
                    "user_id",
                    userId,
                    "old_email",
                    email,
                    "new_email",
                    newEmail,
                    "updated_at",
                    Instant.now().toString());
            apply("user.email_updated", JSON.valueToTree(payload));
            return payload;
        }

        void apply(String action, JsonNode payload) {
            switch (action) {
                case "user.created" -> {
                    email = payload.path("email").asString();
                    name = payload.path("name").asString();
                }
                case "user.email_updated" -> email = payload.path("new_email").asString();
                default -> throw new IllegalArgumentException("not a user event: " + action);
            }
            version++;
        }
    }
}
