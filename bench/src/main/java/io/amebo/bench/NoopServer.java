package io.amebo.bench;

import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The HTTP ceiling: a Spring Boot WebFlux application whose one route reads the POSTed body and answers 201 with a
 * small JSON body, run in a JVM of its own as the standalone is. What single publish is measured against.
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

    static void run(int port) {
        SpringApplication application = new SpringApplication(NoopServer.class);
        application.setDefaultProperties(
                java.util.Map.of("server.port", port, "spring.main.banner-mode", "off", "logging.level.root", "warn"));
        application.run();
    }
}
