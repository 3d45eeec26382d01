package io.amebo.registry.config;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Wires the registry into any Spring Boot application: its own, or the standalone that composes all three. */
@AutoConfiguration
@EnableConfigurationProperties(RegistryProperties.class)
public class RegistryAutoConfiguration {}
