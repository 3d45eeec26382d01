package io.amebo.registry.web;

import static io.amebo.contract.registry.RegistryKeys.Kind.APPLICATION;

import io.amebo.contract.Names;
import io.amebo.contract.registry.ApplicationState;
import io.amebo.platform.auth.Principal;
import io.amebo.platform.web.FieldReader;
import io.amebo.platform.web.ListPages;
import io.amebo.platform.web.ProblemException;
import io.amebo.registry.core.AddressRules;
import io.amebo.registry.core.PageRequest;
import io.amebo.registry.store.RegistryRepository.Filter;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** {@code /v1/applications}: register (admin), list, get, update address, rotate secret, delete. */
final class ApplicationHandler {

    static final int MIN_SECRET = 16;
    static final int MAX_SECRET = 512;
    static final int MAX_URL = 2048;
    // "location" and "passphrase" are the original Amebo's names for the address and the secret
    private static final Set<String> CREATE_FIELDS = Set.of("application", "address", "secret", "passphrase");
    private static final Set<String> UPDATE_FIELDS =
            Set.of("address", "location", "secret", "passphrase", "rotate_secret", "revoke_previous");

    private final Requests requests;
    private final RegistryRoutes.Dependencies d;
    private final SecureRandom random = new SecureRandom();

    ApplicationHandler(Requests requests, RegistryRoutes.Dependencies d) {
        this.requests = requests;
        this.d = d;
    }

    record NewApplication(String application, String address, String secret) {}

    Mono<ServerResponse> create(ServerRequest request) {
        return requests.principal(request)
                .flatMap(Requests::requireAdmin)
                .then(d.bodies().object(request))
                .map(this::readNew)
                .flatMap(this::insert)
                .flatMap(created -> ServerResponse.created(URI.create("/v1/applications/" + created.get("application")))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(created));
    }

    private NewApplication readNew(JsonNode body) {
        FieldReader fields = new FieldReader(body, CREATE_FIELDS);
        String name = fields.check("application", fields.requiredString("application", 100), Names::checkApplication);
        String address = fields.check("address", fields.requiredString("address", MAX_URL), this::checkAddress);
        Optional<String> secret = fields.optionalString("secret", "passphrase", MAX_SECRET);
        secret.ifPresent(s -> fields.check(fields.givenAs("secret", "passphrase"), s, ApplicationHandler::checkSecret));
        fields.validate("the application");
        return new NewApplication(name, address, secret.orElseGet(this::generateSecret));
    }

    private Mono<Map<String, Object>> insert(NewApplication app) {
        Instant now = d.clock().instant();
        return d.transactions()
                .transactional(d.repository()
                        .insertApplication(
                                app.application(), app.address(), d.cipher().seal(app.secret(), app.application()), now)
                        .then(d.repository().enqueue(APPLICATION.key(app.application()))))
                .onErrorMap(
                        DataIntegrityViolationException.class,
                        e -> ProblemException.conflict("an application named " + app.application() + " exists"))
                .doOnSuccess(v -> d.relay().wakeUp())
                .then(Mono.fromSupplier(() -> {
                    Map<String, Object> body = view(app.application(), app.address(), now);
                    body.put("secret", app.secret()); // shown once, at creation
                    return body;
                }));
    }

    Mono<ServerResponse> list(ServerRequest request) {
        PageRequest page = Requests.page(request);
        List<Filter> filters = List.of(
                Filter.contains("name", request.queryParam("application").orElse(null)),
                Filter.contains("address", request.queryParam("address").orElse(null)),
                Filter.atLeast("created_at", Requests.time(request, "from").orElse(null)),
                Filter.before("created_at", Requests.time(request, "to").orElse(null)));
        return requests.principal(request)
                .thenMany(d.repository().listApplications(filters, page.offset(), ListPages.rowsToFetch(page.size())))
                .map(ApplicationHandler::view)
                .collectList()
                .flatMap(items -> ListPages.respond(request, page.page(), page.size(), items));
    }

    Mono<ServerResponse> get(ServerRequest request) {
        String name = request.pathVariable("name");
        return requests.principal(request)
                .then(found(name))
                .flatMap(app -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(view(app)));
    }

    Mono<ServerResponse> update(ServerRequest request) {
        String name = request.pathVariable("name");
        return requests.principal(request)
                .doOnNext(principal -> requireCurrent(principal, name, "change its own registration"))
                .then(d.bodies().object(request))
                .flatMap(body -> applyUpdate(name, body))
                .flatMap(body -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(body));
    }

    private Mono<Map<String, Object>> applyUpdate(String name, JsonNode body) {
        FieldReader fields = new FieldReader(body, UPDATE_FIELDS);
        Optional<String> address = fields.optionalString("address", "location", MAX_URL);
        address.ifPresent(a -> fields.check(fields.givenAs("address", "location"), a, this::checkAddress));
        Optional<String> secret = fields.optionalString("secret", "passphrase", MAX_SECRET);
        secret.ifPresent(s -> fields.check(fields.givenAs("secret", "passphrase"), s, ApplicationHandler::checkSecret));
        boolean rotate = fields.optionalBoolean("rotate_secret").orElse(false) || secret.isPresent();
        boolean revoke = fields.optionalBoolean("revoke_previous").orElse(false);
        if (address.isEmpty() && !rotate && !revoke) {
            fields.reject(
                    "address",
                    "send an address to change, secret / rotate_secret to rotate the secret, or revoke_previous");
        }
        fields.validate("the update");
        String newSecret = rotate ? secret.orElseGet(this::generateSecret) : null;
        Instant now = d.clock().instant();
        // the rotated-out secret keeps working for the grace period, or not at all when revoked
        Instant previousUntil = revoke ? now : now.plus(d.secretGrace());
        Mono<Void> changes = found(name).then(Mono.defer(() -> {
            Mono<Void> steps = Mono.empty();
            if (address.isPresent()) {
                steps = steps.then(d.repository().updateAddress(name, address.get(), now));
            }
            if (newSecret != null) {
                steps = steps.then(
                        d.repository().rotateSecret(name, d.cipher().seal(newSecret, name), previousUntil, now));
            } else if (revoke) {
                steps = steps.then(d.repository().endPreviousSecret(name, now));
            }
            return steps.then(d.repository().enqueue(APPLICATION.key(name)));
        }));
        return d.transactions()
                .transactional(changes)
                .doOnSuccess(v -> d.relay().wakeUp())
                .then(d.repository().findApplication(name))
                .map(app -> {
                    Map<String, Object> view = view(app);
                    if (newSecret != null) {
                        view.put("secret", newSecret);
                        view.put("previous_secret_valid_until", revoke ? null : previousUntil);
                    }
                    return view;
                });
    }

    Mono<ServerResponse> delete(ServerRequest request) {
        String name = request.pathVariable("name");
        return requests.principal(request)
                .doOnNext(principal -> requireCurrent(principal, name, "delete its own registration"))
                .then(d.transactions()
                        .transactional(found(name)
                                .then(d.repository().dependentsOf(name))
                                .flatMap(n -> n > 0
                                        ? Mono.error(ProblemException.conflict("application " + name + " still owns "
                                                + n + " actions or subscriptions; delete those first"))
                                        : d.repository().deleteApplication(name))
                                .then(d.repository().enqueue(APPLICATION.key(name)))))
                .doOnSuccess(v -> d.relay().wakeUp())
                .then(ServerResponse.noContent().build());
    }

    /**
     * Changes to an application's own record (its address, its secrets, its deletion) are for the admin and for the
     * application's <em>current</em> secret: a rotated-out secret still in its grace period may use the API but not
     * take the application over (DESIGN §4.1).
     */
    private static void requireCurrent(Principal principal, String name, String what) {
        Requests.requireActingAs(principal, name, what);
        if (principal instanceof Principal.Application application && !application.current()) {
            throw ProblemException.forbidden("a rotated-out secret cannot " + what
                    + ": authenticate with the application's current secret (or as the admin)");
        }
    }

    private Mono<ApplicationState> found(String name) {
        return d.repository()
                .findApplication(name)
                .switchIfEmpty(Mono.error(() -> ProblemException.notFound("no application named " + name)));
    }

    private Optional<String> checkAddress(String address) {
        return FieldReader.checkHttpUrl(address)
                .or(() -> AddressRules.checkLiteralHost(address, d.allowPrivateAddresses()));
    }

    /** At least 16 characters, none of them a control character (a secret travels in Basic credentials). */
    static Optional<String> checkSecret(String secret) {
        if (secret.length() < MIN_SECRET) {
            return Optional.of("must be at least " + MIN_SECRET + " characters");
        }
        return secret.chars().anyMatch(Character::isISOControl)
                ? Optional.of("must not contain control characters")
                : Optional.empty();
    }

    /** A Standard Webhooks style secret: {@code whsec_} and 32 random bytes in base64. */
    private String generateSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return "whsec_" + Base64.getEncoder().encodeToString(bytes);
    }

    static Map<String, Object> view(ApplicationState app) {
        return view(app.application(), app.address(), app.timestamped());
    }

    private static Map<String, Object> view(String name, String address, Instant timestamped) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("application", name);
        body.put("address", address);
        body.put("timestamped", timestamped);
        return body;
    }
}
