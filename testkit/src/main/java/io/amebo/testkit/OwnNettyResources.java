package io.amebo.testkit;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Add to a Spring application started by a test ({@code new SpringApplicationBuilder(App.class,
 * OwnNettyResources.class)}) so that it runs on Reactor Netty event loops of its own. By default every application
 * in a JVM shares the global ones, and closing one application (a "restart" in a test) disposes them under the
 * others' servers and clients.
 */
@Configuration(proxyBeanMethods = false)
public class OwnNettyResources {

    @Bean
    ReactorResourceFactory reactorResourceFactory() {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        return factory;
    }
}
