package io.amebo.registry;

import io.amebo.testkit.OwnNettyResources;
import io.amebo.testkit.SharedPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A registry application that a test starts and stops itself (to restart it, or to start it over prepared data),
 * on a database and topic prefix of the test's own, so that no other registry in the JVM shares its outbox.
 */
final class RunningRegistry {

    private RunningRegistry() {}

    static ConfigurableApplicationContext start(SharedPostgres.Database database, String prefix, String... args) {
        List<String> all = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.profiles.active=test",
                "--amebo.kafka.topic-prefix=" + prefix,
                "--spring.r2dbc.url=" + database.r2dbcUrl(),
                "--spring.flyway.url=" + database.jdbcUrl()));
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(RegistryApplication.class, OwnNettyResources.class)
                .run(all.toArray(String[]::new));
    }

    static Api api(ConfigurableApplicationContext context) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return new Api(WebTestClient.bindToServer()
                .baseUrl("http://localhost:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .build());
    }
}
