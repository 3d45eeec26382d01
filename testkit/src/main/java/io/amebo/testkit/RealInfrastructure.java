package io.amebo.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class the JVM's shared real infrastructure: the in-process KRaft broker ({@link SharedKafka}) and
 * PostgreSQL ({@link SharedPostgres}), injectable as parameters and published as Spring Boot properties
 * ({@code spring.kafka.bootstrap-servers}, {@code spring.r2dbc.*}, {@code spring.flyway.*}) before any Spring
 * context starts. Declare it before {@code @SpringBootTest}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(RealInfrastructureExtension.class)
public @interface RealInfrastructure {}
