package io.amebo.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** No service starts without an admin token and a master key: none is built in, and the message names what is missing. */
class AuthPropertiesTest {

    @EnableConfigurationProperties(AuthProperties.class)
    static class PropertiesOnly {}

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withUserConfiguration(PropertiesOnly.class);

    @Test
    void refusesToStartWithoutAnAdminToken() {
        runner.withPropertyValues("amebo.auth.master-key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .hasMessageContaining("amebo.auth")
                            .hasMessageContaining("adminToken");
                });
    }

    @Test
    void refusesToStartWithoutAMasterKeyOrWithAShortToken() {
        runner.withPropertyValues("amebo.auth.admin-token=test-admin-token-0123456789")
                .run(context ->
                        assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("masterKey"));
        runner.withPropertyValues(
                        "amebo.auth.admin-token=short",
                        "amebo.auth.master-key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
                .run(context -> assertThat(context.getStartupFailure())
                        .rootCause()
                        .hasMessageContaining("at least 16 characters"));
    }
}
