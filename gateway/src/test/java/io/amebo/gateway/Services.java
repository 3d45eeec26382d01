package io.amebo.gateway;

import io.amebo.registry.RegistryApplication;
import io.amebo.testkit.OwnNettyResources;
import io.amebo.testkit.RealInfrastructureExtension;
import io.amebo.testkit.SharedPostgres;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the registry and gateways as separate applications in this JVM, each on a random port, the way they run
 * in production: both services' jars are on the test classpath, so each excludes the other's auto-configuration.
 */
public final class Services {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    public static final String ADMIN = "Bearer " + ADMIN_TOKEN;

    private static final String REGISTRY = "io.amebo.registry.config.RegistryAutoConfiguration";
    private static final String GATEWAY = "io.amebo.gateway.config.GatewayAutoConfiguration";
    private static final String FLYWAY = "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration";

    private static volatile ConfigurableApplicationContext sharedRegistry;

    private Services() {}

    /** One registry for the JVM, on the shared Spring database. */
    public static synchronized ConfigurableApplicationContext sharedRegistry() {
        if (sharedRegistry == null) {
            sharedRegistry = registry(RealInfrastructureExtension.springDatabase());
        }
        return sharedRegistry;
    }

    public static ConfigurableApplicationContext registry(SharedPostgres.Database database, String... args) {
        List<String> all = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.profiles.active=test",
                "--spring.autoconfigure.exclude=" + GATEWAY,
                "--spring.r2dbc.url=" + database.r2dbcUrl(),
                "--spring.flyway.url=" + database.jdbcUrl()));
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(RegistryApplication.class, OwnNettyResources.class)
                .run(all.toArray(String[]::new));
    }

    public static ConfigurableApplicationContext gateway(
            String registryUrl, SharedPostgres.Database database, String... args) {
        List<String> all = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.profiles.active=test",
                "--spring.autoconfigure.exclude=" + REGISTRY + "," + FLYWAY,
                "--amebo.gateway.registry-url=" + registryUrl,
                "--spring.r2dbc.url=" + database.r2dbcUrl(),
                "--spring.flyway.url=" + database.jdbcUrl()));
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(GatewayApplication.class, OwnNettyResources.class)
                .run(all.toArray(String[]::new));
    }

    public static String url(ConfigurableApplicationContext context) {
        return "http://localhost:"
                + ((WebServerApplicationContext) context).getWebServer().getPort();
    }
}
