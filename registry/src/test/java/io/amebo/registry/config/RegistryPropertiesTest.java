package io.amebo.registry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class RegistryPropertiesTest {

    /** Binds the properties alone: the rest of the registry needs a database and a broker. */
    @EnableConfigurationProperties(RegistryProperties.class)
    static class PropertiesOnly {}

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withUserConfiguration(PropertiesOnly.class);

    @Test
    void startsWithDocumentedDefaultsAndBindsOverrides() {
        runner.withPropertyValues("amebo.registry.retention=30d").run(context -> {
            assertThat(context).hasNotFailed();
            RegistryProperties properties = context.getBean(RegistryProperties.class);
            assertThat(properties.retention()).isEqualTo(Duration.ofDays(30));
        });
    }

    @Test
    void refusesToStartWithAnInvalidValueAndNamesIt() {
        runner.withPropertyValues("amebo.registry.partitions=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("amebo.registry")
                    .hasMessageContaining("partitions");
        });
    }
}
