package io.amebo.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.unit.DataSize;

class GatewayPropertiesTest {

    /** Binds the properties alone: the rest of the gateway needs a broker and a database. */
    @EnableConfigurationProperties(GatewayProperties.class)
    static class PropertiesOnly {}

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withUserConfiguration(PropertiesOnly.class);

    @Test
    void startsWithDocumentedDefaultsAndBindsOverrides() {
        runner.withPropertyValues("amebo.gateway.max-body-size=2MB").run(context -> {
            assertThat(context).hasNotFailed();
            GatewayProperties properties = context.getBean(GatewayProperties.class);
            assertThat(properties.maxBodySize()).isEqualTo(DataSize.ofMegabytes(2));
        });
    }

    @Test
    void refusesToStartWithAnInvalidValueAndNamesIt() {
        runner.withPropertyValues("amebo.gateway.max-batch-items=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("amebo.gateway")
                    .hasMessageContaining("maxBatchItems");
        });
    }
}
