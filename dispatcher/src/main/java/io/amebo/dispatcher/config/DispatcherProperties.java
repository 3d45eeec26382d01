package io.amebo.dispatcher.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How deliveries are made ({@code amebo.dispatcher.*}).
 *
 * @param requestTimeout how long one delivery attempt may take before it counts as failed; default 10 s
 * @param maxInFlight deliveries in flight per subscription in unordered mode; default 64
 * @param maxRetries attempts per event, in total, for subscriptions that do not set their own; default 5
 */
@Validated
@ConfigurationProperties("amebo.dispatcher")
public record DispatcherProperties(
        @DefaultValue("10s") @NotNull Duration requestTimeout,
        @DefaultValue("64") @Min(1) @Max(10_000) int maxInFlight,
        @DefaultValue("5") @Min(1) @Max(10_000) int maxRetries) {}
