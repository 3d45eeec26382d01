package io.amebo.bench;

import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The HTTP ceiling: a Spring Boot WebFlux application whose one route reads the POSTed body and answers 201 with a
 * small JSON body, run in a JVM of its own as the standalone is. What single publish is measured against.
 *
 * <p>Given a bootstrap address it also serves {@code POST /kafka}: the body sent as is to topic {@code bench.bare}
 * by an idempotent acks=all producer with the gateway's settings, answered 201 after the ack. A bare per-request-ack
 * gateway with no authentication, validation or headers: a reference for what the broker on the same machine
 * leaves of the HTTP ceiling.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class NoopServer {

    private static final byte[] ANSWER = "{\"id\":\"noop\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @Bean
    RouterFunction<ServerResponse> noop() {
        return RouterFunctions.route(
                POST("/noop"),
                request -> request.bodyToMono(byte[].class)
                        .then(ServerResponse.status(201)
                                .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                                .bodyValue(ANSWER)));
    }

    static void run(int port, String bootstrap) {
        SpringApplication application = new SpringApplication(NoopServer.class);
        application.setDefaultProperties(java.util.Map.of(
                "server.port",
                port,
                "spring.main.banner-mode",
                "off",
                "logging.level.root",
                "warn",
                "bench.bootstrap",
                bootstrap));
        application.run();
    }

    @Bean
    RouterFunction<ServerResponse> bareGateway(org.springframework.core.env.Environment environment) {
        String bootstrap = environment.getProperty("bench.bootstrap", "");
        if (bootstrap.isEmpty()) {
            return RouterFunctions.route(
                    POST("/kafka"), request -> ServerResponse.notFound().build());
        }
        java.util.Map<String, Object> config = java.util.Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                0);
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        return RouterFunctions.route(
                POST("/kafka"),
                request -> request.bodyToMono(byte[].class)
                        .flatMap(body -> Mono.<RecordMetadata>create(sink ->
                                producer.send(new ProducerRecord<>("bench.bare", body), (metadata, failure) -> {
                                    if (failure != null) {
                                        sink.error(failure);
                                    } else {
                                        sink.success(metadata);
                                    }
                                })))
                        .flatMap(metadata -> ServerResponse.status(201)
                                .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                                .bodyValue(ANSWER)));
    }
}
