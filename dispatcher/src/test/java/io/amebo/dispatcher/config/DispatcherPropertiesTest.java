package io.amebo.dispatcher.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class DispatcherPropertiesTest {

    /** Binds the properties alone: the rest of the dispatcher needs a broker and a database. */
    @EnableConfigurationProperties(DispatcherProperties.class)
    static class PropertiesOnly {}

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withUserConfiguration(PropertiesOnly.class);

    @Test
    void startsWithDocumentedDefaultsAndBindsOverrides() {
        runner.withPropertyValues("amebo.dispatcher.request-timeout=250ms").run(context -> {
            assertThat(context).hasNotFailed();
            DispatcherProperties properties = context.getBean(DispatcherProperties.class);
            assertThat(properties.requestTimeout()).isEqualTo(Duration.ofMillis(250));
        });
    }

    @Test
    void refusesToStartWithAnInvalidValueAndNamesIt() {
        runner.withPropertyValues("amebo.dispatcher.max-in-flight=-1").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("amebo.dispatcher")
                    .hasMessageContaining("maxInFlight");
        });
    }
}
