package io.amebo.dispatcher.config;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Wires the dispatcher into any Spring Boot application: its own, or the standalone that composes all three. */
@AutoConfiguration
@EnableConfigurationProperties(DispatcherProperties.class)
public class DispatcherAutoConfiguration {}
