package io.amebo.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** See {@link RealInfrastructure}. */
public final class RealInfrastructureExtension implements BeforeAllCallback, ParameterResolver {

    /** The database Spring contexts in this JVM share; tests that need their own take {@code newDatabase}. */
    static final String SPRING_DATABASE = "amebo";

    private static volatile SharedPostgres.Database springDatabase;

    @Override
    public void beforeAll(ExtensionContext context) {
        SharedKafka kafka = SharedKafka.get();
        SharedPostgres.Database database = springDatabase();
        System.setProperty("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
        System.setProperty("spring.r2dbc.url", database.r2dbcUrl());
        System.setProperty("spring.r2dbc.username", database.user());
        System.setProperty("spring.r2dbc.password", database.password());
        System.setProperty("spring.flyway.url", database.jdbcUrl());
        System.setProperty("spring.flyway.user", database.user());
        System.setProperty("spring.flyway.password", database.password());
    }

    /** The one database that Spring contexts of this JVM use, created on first use. */
    public static SharedPostgres.Database springDatabase() {
        SharedPostgres.Database local = springDatabase;
        if (local == null) {
            synchronized (RealInfrastructureExtension.class) {
                local = springDatabase;
                if (local == null) {
                    local = SharedPostgres.get().newDatabase(SPRING_DATABASE);
                    springDatabase = local;
                }
            }
        }
        return local;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == SharedKafka.class || type == SharedPostgres.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SharedKafka.class ? SharedKafka.get() : SharedPostgres.get();
    }
}
