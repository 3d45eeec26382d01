package io.amebo.client;

import static io.amebo.client.Calls.Service.GATEWAY;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client for Amebo's HTTP API: publish events, read them back, register applications, actions and subscriptions,
 * and look after deliveries. Plain Java (the JDK's {@link HttpClient} and Jackson); blocking calls; thread-safe, so
 * one instance serves a whole application.
 *
 * <pre>{@code
 * AmeboClient amebo = AmeboClient.builder()
 *         .baseUrl("http://localhost:3310")
 *         .application("user-service", "user-service-secret")   // or .adminToken(token)
 *         .build();
 *
 * Published p = amebo.publishEvent("user.created", Map.of("user_id", "u1", "email", "ada@example.com", "name", "Ada"));
 * amebo.publishEvent("user.created", user, PublishOptions.NONE.withDeduper("user-" + user.id() + "-created"));
 *
 * // every event the caller may read, appended in [from, to), read page by page as the stream is consumed
 * amebo.getEvents(Instant.parse("2026-01-01T00:00:00Z"), Instant.now())
 *         .forEach(e -> System.out.println(e.action() + " " + e.payload()));
 *
 * amebo.subscriptions().create("email-service", "welcome-emails", "user.created", "/webhooks/user-created");
 * }</pre>
 *
 * <p><b>Credentials.</b> An application's name and secret are traded for a bearer token ({@code POST /v1/tokens}) on
 * the first call; the token is replaced before it expires (when less than a tenth of its life, at most a minute, is
 * left), and once more when Amebo answers 401 to it. The admin's token is sent as it is.
 *
 * <p><b>Errors.</b> A 4xx or 5xx answer is an {@link AmeboApiException} with the status and the problem Amebo sent;
 * no answer (connection refused, timeout, interrupt) is an {@link AmeboTransportException}. Both are unchecked.
 *
 * <p><b>Retries.</b> A call is sent again only when that cannot do a thing twice:
 *
 * <ul>
 *   <li>a 401 to an application's token: once, with a fresh token (nothing was done: authentication comes first);
 *   <li>reads, updates that set values, deletes: after a 429 or 503;
 *   <li>a publish (one event or a batch): after a 429 or 503 <em>only if every event in it carries a
 *       {@code deduper}</em>. A 503 may come after Kafka appended the event; only the deduper lets Amebo recognise the
 *       second send and answer with the first event instead of appending it again. Without one, a publish is never
 *       sent twice: the caller decides;
 *   <li>calls that create or trigger something (registrations, secret rotation, replays, redeliveries): only after a
 *       429, which Amebo answers before doing anything;
 *   <li>never after a timeout or a broken connection: the call may have been done.
 * </ul>
 *
 * The wait is the answer's {@code Retry-After} (seconds or an HTTP-date), else an exponential backoff from 0.5 s;
 * there are at most {@link Builder#maxAttempts(int) maxAttempts} attempts (3), and a {@code Retry-After} longer than
 * {@link Builder#maxRetryDelay(Duration) maxRetryDelay} (60 s) is not waited out: the error is thrown at once, with
 * its {@link AmeboApiException#retryAfter()}.
 */
public final class AmeboClient {

    /** The correlation id of a publish: it travels with the event to every handler. */
    private static final String REQUEST_ID = "X-Request-Id";

    private final Map<Calls.Service, URI> bases;
    private final HttpTransport transport;
    private final JsonMapper json;
    private final Clock clock;
    private final Calls calls;
    private final Applications applications;
    private final Actions actions;
    private final Subscriptions subscriptions;
    private final Gists gists;

    private AmeboClient(
            Map<Calls.Service, URI> bases, HttpTransport transport, JsonMapper json, Clock clock, Authorization auth) {
        this.bases = bases;
        this.transport = transport;
        this.json = json;
        this.clock = clock;
        this.calls = new Calls(bases, transport, auth, json);
        this.applications = new Applications(calls);
        this.actions = new Actions(calls);
        this.subscriptions = new Subscriptions(calls);
        this.gists = new Gists(calls);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A client for the same Amebo, with the same settings and connection pool, calling as {@code application}: for
     * an admin who registers applications and then acts as them.
     */
    public AmeboClient withApplication(String application, String secret) {
        return new AmeboClient(
                bases, transport, json, clock, tokens(bases, transport, json, clock, application, secret));
    }

    // ---- publishing ----

    /**
     * Publishes one event and answers once Kafka has it (201), or with the first event for a repeated deduper (200,
     * {@link Published#duplicate()}).
     *
     * @param payload any value Jackson writes as JSON: a {@link JsonNode}, a {@code Map}, a record or bean (with the
     *     builder's {@link Builder#jsonMapper mapper}). A {@code String} is sent as a JSON string; JSON text you
     *     already hold goes as {@code mapper.readTree(text)} or Jackson's {@code RawValue}
     * @throws AmeboApiException 422 naming every field the payload gets wrong, 404 for an unknown action, 403 for
     *     another application's action, 503 when Kafka did not acknowledge in time (retried only with a deduper)
     */
    public Published publishEvent(String action, Object payload) {
        return publishEvent(action, payload, PublishOptions.NONE);
    }

    public Published publishEvent(String action, Object payload, PublishOptions options) {
        HttpTransport.Call call = calls.call(
                "POST",
                GATEWAY,
                "v1/events",
                null,
                eventBody(action, payload, options),
                options.deduper() != null ? Idempotency.IDEMPOTENT : Idempotency.NEVER,
                requestId(options.requestId()));
        HttpTransport.Reply reply = calls.expect(call);
        return Json.read(json, call, reply, Published.class).asDuplicate(reply.status() == 200);
    }

    /** Publishes several events in one request; see {@link #publishBatch(List, String)}. */
    public BatchResult publishBatch(List<BatchEvent> events) {
        return publishBatch(events, null);
    }

    /**
     * Publishes several events in one request ({@code POST /v1/events/batch}), each validated and appended on its
     * own: some may be refused while others are appended. The answer has one result per event, in order, whether
     * all, some or none were accepted; only a refusal of the whole request (401, 400, 413, ...) is thrown.
     *
     * @param requestId sent as {@code X-Request-Id} for the whole batch, or null
     */
    public BatchResult publishBatch(List<BatchEvent> events, String requestId) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a batch holds at least one event");
        }
        List<Map<String, Object>> body = new ArrayList<>(events.size());
        for (BatchEvent event : events) {
            body.add(eventBody(event.action(), event.payload(), event.options()));
        }
        boolean everyOneDeduplicated = events.stream().allMatch(e -> e.options().deduper() != null);
        HttpTransport.Call call = calls.call(
                "POST",
                GATEWAY,
                "v1/events/batch",
                null,
                body,
                everyOneDeduplicated ? Idempotency.IDEMPOTENT : Idempotency.NEVER,
                requestId(requestId));
        return batchResult(call, calls.send(call));
    }

    private static Map<String, Object> eventBody(String action, Object payload, PublishOptions options) {
        Objects.requireNonNull(action, "action");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", action);
        body.put("payload", payload);
        NewAction.putIfSet(body, "deduper", options.deduper());
        NewAction.putIfSet(body, "key", options.key());
        if (options.sleepUntil() != null) {
            body.put("sleep_until", options.sleepUntil().toString());
        } else if (options.sleepFor() != null) {
            body.put("sleep_until", BigDecimal.valueOf(options.sleepFor().toMillis(), 3));
        }
        return body;
    }

    private BatchResult batchResult(HttpTransport.Call call, HttpTransport.Reply reply) {
        JsonNode body = reply.ok() ? Json.tree(json, call, reply) : treeOrNull(reply);
        if (body == null || !body.path("results").isArray()) {
            throw reply.ok()
                    ? new AmeboTransportException(call.describe() + ": the answer held no results", null)
                    : calls.failure(call, reply);
        }
        List<BatchResult.Item> items = new ArrayList<>();
        int duplicates = 0;
        for (JsonNode result : body.path("results")) {
            int index = result.path("index").asInt(items.size());
            int status = result.path("status").asInt(0);
            if (status == 200 || status == 201) {
                Published published =
                        Json.convert(json, call, result, Published.class).asDuplicate(status == 200);
                duplicates += published.duplicate() ? 1 : 0;
                items.add(new BatchResult.Accepted(index, published));
            } else {
                int problemStatus = status >= 400 && status <= 599 ? status : 500;
                items.add(new BatchResult.Rejected(index, HttpTransport.problem(problemStatus, result)));
            }
        }
        int accepted = (int)
                items.stream().filter(BatchResult.Accepted.class::isInstance).count();
        return new BatchResult(
                items,
                body.path("appended").asInt(accepted),
                body.path("failed").asInt(items.size() - accepted),
                // older gateways do not count them: the per-event results say the same
                body.path("deduplicated").asInt(duplicates));
    }

    private JsonNode treeOrNull(HttpTransport.Reply reply) {
        try {
            return reply.body().length == 0 ? null : json.readTree(reply.body());
        } catch (JacksonException e) {
            return null;
        }
    }

    private static Map<String, String> requestId(String requestId) {
        return requestId == null ? Map.of() : Map.of(REQUEST_ID, requestId);
    }

    // ---- reading ----

    /**
     * The events of every action the caller may read (its own, and those it may subscribe to), appended in
     * {@code [from, to)}, in time order.
     *
     * @param from inclusive, or null for the start of the log
     * @param to exclusive, or null for now
     * @see #getEvents(EventQuery)
     */
    public Stream<Event> getEvents(Instant from, Instant to) {
        return getEvents(EventQuery.between(from, to));
    }

    /** The events of one action appended in {@code [from, to)}, in time order; see {@link #getEvents(EventQuery)}. */
    public Stream<Event> getEvents(String action, Instant from, Instant to) {
        return getEvents(EventQuery.between(from, to).withActions(action));
    }

    /** The events of these actions appended in {@code [from, to)}, in time order; see {@link #getEvents(EventQuery)}. */
    public Stream<Event> getEvents(Collection<String> actions, Instant from, Instant to) {
        return getEvents(EventQuery.between(from, to).withActions(List.copyOf(actions)));
    }

    /**
     * The events the query names, as a lazy stream: the first page is read now (so a refused read throws here), each
     * next one ({@code X-Next-Cursor}) only when the stream gets to it. A range without an end is pinned to now
     * (this machine's clock, plus a millisecond) when the read starts, so all its pages read one range. Closing the
     * stream, or not consuming it, reads no more pages.
     */
    public Stream<Event> getEvents(EventQuery query) {
        Instant to = query.to() != null
                ? query.to()
                : clock.instant().truncatedTo(ChronoUnit.MILLIS).plusMillis(1);
        Query parameters = new Query()
                .addAll("action", query.actions())
                .add("from", query.from())
                .add("to", to)
                .add("limit", query.limit())
                .add("deduper", query.deduper());
        return Pages.stream(eventPage(parameters, null));
    }

    private Pages.Page<Event> eventPage(Query parameters, String cursor) {
        Query query = cursor == null ? parameters : parameters.copy().add("cursor", cursor);
        HttpTransport.Call call =
                calls.call("GET", GATEWAY, "v1/events", query, null, Idempotency.IDEMPOTENT, Map.of());
        HttpTransport.Reply reply = calls.expect(call);
        List<Event> events = Json.list(json, call, reply, Event.class);
        String next = reply.header("X-Next-Cursor").filter(c -> !c.isBlank()).orElse(null);
        return new Pages.Page<>(events, next == null ? null : () -> eventPage(parameters, next));
    }

    /** One event by its id; 404 when it was never appended or its retention has passed. */
    public Event getEvent(String id) {
        return calls.get(GATEWAY, Calls.path("v1/events", id), Event.class);
    }

    // ---- registrations and deliveries ----

    public Applications applications() {
        return applications;
    }

    public Actions actions() {
        return actions;
    }

    public Subscriptions subscriptions() {
        return subscriptions;
    }

    public Gists gists() {
        return gists;
    }

    private static Authorization tokens(
            Map<Calls.Service, URI> bases,
            HttpTransport transport,
            JsonMapper json,
            Clock clock,
            String application,
            String secret) {
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(secret, "secret");
        URI endpoint = URI.create(bases.get(Calls.Service.REGISTRY) + "v1/tokens");
        return new ApplicationTokens(application, secret, endpoint, transport, json, clock);
    }

    /**
     * Settings of an {@link AmeboClient}. {@link #baseUrl} and one credential are required; everything else has a
     * default.
     */
    public static final class Builder {

        private URI baseUrl;
        private URI registryUrl;
        private URI dispatcherUrl;
        private String application;
        private String secret;
        private String adminToken;
        private HttpClient httpClient;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private int maxAttempts = RetryPolicy.DEFAULT_MAX_ATTEMPTS;
        private Duration maxRetryDelay = RetryPolicy.DEFAULT_MAX_DELAY;
        private JsonMapper jsonMapper;
        private Sleeper sleeper = Sleeper.THREAD;
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        private Builder() {}

        /** Where Amebo listens: the standalone's one port, or the gateway (e.g. {@code http://localhost:3310}). */
        public Builder baseUrl(String baseUrl) {
            return baseUrl(URI.create(baseUrl));
        }

        public Builder baseUrl(URI baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /** The registry, when it is not at {@link #baseUrl} (services deployed apart): tokens and registrations. */
        public Builder registryUrl(URI registryUrl) {
            this.registryUrl = registryUrl;
            return this;
        }

        /** The dispatcher, when it is not at {@link #baseUrl}: the delivery log, replays and redeliveries. */
        public Builder dispatcherUrl(URI dispatcherUrl) {
            this.dispatcherUrl = dispatcherUrl;
            return this;
        }

        /** Call as this application, with bearer tokens obtained with its secret. */
        public Builder application(String application, String secret) {
            this.application = Objects.requireNonNull(application, "application");
            this.secret = Objects.requireNonNull(secret, "secret");
            return this;
        }

        /** Call as the admin, with its bearer token. */
        public Builder adminToken(String adminToken) {
            this.adminToken = Objects.requireNonNull(adminToken, "adminToken");
            return this;
        }

        /** The HTTP client to send with; by default one that connects within 10 s and follows no redirects. */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = httpClient;
            return this;
        }

        /** How long one request may take, answer included; 30 s by default. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** The clock for token expiry, {@code Retry-After} dates and open-ended reads; the system's by default. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Attempts in all for a call that may be retried, the first included; 3 by default, 1 for no retries. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The longest wait before a retry; a {@code Retry-After} beyond it is not waited for. 60 s by default. */
        public Builder maxRetryDelay(Duration maxRetryDelay) {
            this.maxRetryDelay = maxRetryDelay;
            return this;
        }

        /** The Jackson mapper that writes payloads (its modules, its naming) and reads answers. */
        public Builder jsonMapper(JsonMapper jsonMapper) {
            this.jsonMapper = jsonMapper;
            return this;
        }

        /** For tests: how waits between attempts are made. */
        Builder sleeper(Sleeper sleeper) {
            this.sleeper = sleeper;
            return this;
        }

        /** For tests: the source of the backoff's jitter, numbers in [0, 1). */
        Builder random(DoubleSupplier random) {
            this.random = random;
            return this;
        }

        public AmeboClient build() {
            if (baseUrl == null) {
                throw new IllegalStateException("baseUrl is required");
            }
            if ((application == null) == (adminToken == null)) {
                throw new IllegalStateException("give one credential: application(name, secret) or adminToken(token)");
            }
            if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalStateException("requestTimeout must be positive");
            }
            Map<Calls.Service, URI> bases = new EnumMap<>(Calls.Service.class);
            bases.put(Calls.Service.GATEWAY, directory(baseUrl));
            bases.put(Calls.Service.REGISTRY, directory(registryUrl != null ? registryUrl : baseUrl));
            bases.put(Calls.Service.DISPATCHER, directory(dispatcherUrl != null ? dispatcherUrl : baseUrl));
            JsonMapper json = Json.lenient(jsonMapper);
            HttpClient http = httpClient != null
                    ? httpClient
                    : HttpClient.newBuilder()
                            .connectTimeout(Duration.ofSeconds(10))
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .build();
            HttpTransport transport = new HttpTransport(
                    http,
                    requestTimeout,
                    new RetryPolicy(maxAttempts, maxRetryDelay, RetryPolicy.DEFAULT_FIRST_BACKOFF),
                    clock,
                    sleeper,
                    random,
                    json);
            Authorization auth = adminToken != null
                    ? Authorization.bearer(adminToken)
                    : tokens(bases, transport, json, clock, application, secret);
            return new AmeboClient(Map.copyOf(bases), transport, json, clock, auth);
        }

        /** The URL with a trailing slash, so API paths resolve under any path prefix it has (behind a proxy). */
        private static URI directory(URI url) {
            if (url.getScheme() == null || url.getHost() == null) {
                throw new IllegalStateException("not an absolute http(s) URL: " + url);
            }
            String text = url.toString();
            return URI.create(text.endsWith("/") ? text : text + "/");
        }
    }
}
