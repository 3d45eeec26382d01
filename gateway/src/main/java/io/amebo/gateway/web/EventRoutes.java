package io.amebo.gateway.web;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import io.amebo.gateway.http.RegistryLookups;
import io.amebo.gateway.kafka.KafkaEventLog;
import io.amebo.gateway.publish.Publisher;
import io.amebo.platform.auth.Authenticator;
import io.amebo.platform.web.JsonBodies;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The gateway's HTTP API (DESIGN §4.2, events). */
public final class EventRoutes {

    private EventRoutes() {}

    public static RouterFunction<ServerResponse> router(
            Authenticator authenticator,
            JsonBodies bodies,
            Publisher publisher,
            RegistryLookups registry,
            KafkaEventLog events,
            int maxBatchItems,
            MeterRegistry meters) {
        PublishHandler publish = new PublishHandler(authenticator, bodies, publisher, maxBatchItems, meters);
        QueryHandler query = new QueryHandler(authenticator, registry, events);
        return RouterFunctions.route()
                .route(POST("/v1/events"), publish::publish)
                .route(POST("/v1/events/batch"), publish::batch)
                .route(GET("/v1/events"), query::range)
                .route(GET("/v1/events/{id}"), query::byId)
                .build();
    }
}
