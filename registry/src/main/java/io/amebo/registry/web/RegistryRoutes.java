package io.amebo.registry.web;

import static org.springframework.web.reactive.function.server.RequestPredicates.DELETE;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.PATCH;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.PUT;

import io.amebo.contract.KafkaNames;
import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.auth.SecretCipher;
import io.amebo.platform.auth.TokenService;
import io.amebo.platform.schema.SchemaCompiler;
import io.amebo.platform.web.JsonBodies;
import io.amebo.registry.core.Retention;
import io.amebo.registry.kafka.ChangelogRelay;
import io.amebo.registry.kafka.KafkaTopicAdmin;
import io.amebo.registry.store.RegistryRepository;
import java.time.Clock;
import java.time.Duration;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/** The registry's HTTP API (DESIGN §4.2): applications, actions, subscriptions and tokens. */
public final class RegistryRoutes {

    /** Everything the handlers need, so the wiring reads as one list. */
    public record Dependencies(
            Authenticator authenticator,
            TokenService tokens,
            JsonBodies bodies,
            RegistryRepository repository,
            TransactionalOperator transactions,
            SecretCipher cipher,
            KafkaTopicAdmin topics,
            KafkaNames names,
            SchemaCompiler compiler,
            ChangelogRelay relay,
            JsonMapper json,
            Clock clock,
            Duration secretGrace,
            int defaultPartitions,
            Retention defaultRetention,
            int defaultMaxRetries,
            boolean allowPrivateAddresses,
            int maxPartitions,
            int maxActionsPerApplication,
            int maxSubscriptionsPerApplication) {}

    private RegistryRoutes() {}

    public static RouterFunction<ServerResponse> router(Dependencies d) {
        Requests requests = new Requests(d.authenticator());
        ApplicationHandler applications = new ApplicationHandler(requests, d);
        ActionHandler actions = new ActionHandler(requests, d);
        SubscriptionHandler subscriptions = new SubscriptionHandler(requests, d);
        TokenHandler tokens = new TokenHandler(d.bodies(), d.authenticator(), d.tokens());
        StateHandler states = new StateHandler(requests, d);
        return RouterFunctions.route()
                .route(POST("/v1/tokens").or(POST("/v8/tokens")), tokens::issue)
                .route(POST("/v1/applications"), applications::create)
                .route(GET("/v1/applications"), applications::list)
                .route(GET("/v1/applications/{name}"), applications::get)
                .route(PATCH("/v1/applications/{name}").or(PUT("/v1/applications/{name}")), applications::update)
                .route(DELETE("/v1/applications/{name}"), applications::delete)
                .route(POST("/v1/actions"), actions::create)
                .route(GET("/v1/actions"), actions::list)
                .route(GET("/v1/actions/{name}"), actions::get)
                .route(PATCH("/v1/actions/{name}"), actions::update)
                .route(POST("/v1/actions/{name}/schemata"), actions::addVersion)
                .route(GET("/v1/actions/{name}/schemata/{version}"), actions::schema)
                .route(POST("/v1/subscriptions"), subscriptions::create)
                .route(GET("/v1/subscriptions"), subscriptions::list)
                .route(GET("/v1/subscriptions/{name}"), subscriptions::get)
                .route(PATCH("/v1/subscriptions/{name}"), subscriptions::update)
                .route(DELETE("/v1/subscriptions/{name}"), subscriptions::delete)
                .route(GET("/v1/registry/{kind}/{name}"), states::get)
                .build();
    }
}
