package io.amebo.registry.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The registry ({@code amebo.registry.*}).
 *
 * @param partitions partitions of a new action's topic unless the action asks for its own; default 3
 * @param replicationFactor replicas of each new topic; default 1 (one broker), use 3 on a real cluster
 * @param retention how long an action's events are kept unless the action says otherwise; default 7 days
 * @param maxRetries delivery attempts of a subscription that sets none; default 5
 * @param allowPrivateAddresses accept loopback and private literal addresses for handlers; default false
 *     (the standalone and tests turn it on)
 * @param kafkaTimeout how long a topic creation may take before the request answers 503; default 10 s
 * @param changelogInterval how often the outbox is checked besides after each change; default 250 ms
 * @param maxPartitions the most partitions an action's topic may ask for; default 64
 * @param maxActionsPerApplication the most actions one application may own; default 500
 * @param maxSubscriptionsPerApplication the most subscriptions one application may hold (each is a consumer in every
 *     dispatcher); default 500
 */
@Validated
@ConfigurationProperties("amebo.registry")
public record RegistryProperties(
        @DefaultValue("3") @Min(1) @Max(1_000) int partitions,
        @DefaultValue("1") @Min(1) @Max(32) short replicationFactor,
        @DefaultValue("7d") @NotNull Duration retention,
        @DefaultValue("5") @Min(1) @Max(10_000) int maxRetries,
        @DefaultValue("false") boolean allowPrivateAddresses,
        @DefaultValue("10s") @NotNull Duration kafkaTimeout,
        @DefaultValue("250ms") @NotNull Duration changelogInterval,
        @DefaultValue("64") @Min(1) @Max(10_000) int maxPartitions,
        @DefaultValue("500") @Min(1) @Max(1_000_000) int maxActionsPerApplication,
        @DefaultValue("500") @Min(1) @Max(1_000_000) int maxSubscriptionsPerApplication) {}
