package io.amebo.platform.config;

import io.amebo.platform.web.OpenApiDocument;
import io.amebo.platform.web.OpenApiRoutes;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.springframework.util.ClassUtils;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.webjars.WebJarVersionLocator;

/**
 * The OpenAPI description of whatever services this context runs ({@code /v3/api-docs}) and Swagger UI beside it
 * ({@code /swagger-ui/}). A fragment counts when the configuration it names is a bean here, so a service serves its
 * own routes even with another service's jar on the classpath (as in tests), and the standalone the union.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class OpenApiAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    OpenApiDocument openApiDocument(ResourcePatternResolver resources, ListableBeanFactory beans) {
        ClassLoader loader = resources.getClassLoader();
        return OpenApiDocument.load(
                resources,
                configuration -> ClassUtils.isPresent(configuration, loader)
                        && beans.getBeanNamesForType(ClassUtils.resolveClassName(configuration, loader), true, false)
                                        .length
                                > 0);
    }

    @Bean
    RouterFunction<ServerResponse> openApiRoutes(OpenApiDocument document) {
        return OpenApiRoutes.router(document, new WebJarVersionLocator().version("swagger-ui"));
    }
}
