package io.amebo.gateway.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The publishing and query paths ({@code amebo.gateway.*}).
 *
 * @param maxBodySize the largest request body accepted, single or batch; larger gets 413; default 1 MB
 * @param maxBatchItems the most events in one batch publish; default 1000
 * @param publishTimeout how long a publish waits for the broker's ack before answering 503; default 5 s
 * @param maxBlock how long a send may wait for room in the producer's buffer (Kafka {@code max.block.ms}) before
 *     the publish answers 503; kept short because it is spent on an event-loop thread; default 200 ms
 * @param registryUrl where to ask the registry about something the view has not seen yet; default
 *     http://localhost:3311
 * @param registryTimeout how long such a lookup may take; default 2 s
 * @param publicUrl the URL clients reach Amebo at, for {@code ce_dataschema}; default http://localhost:3310
 * @param dedupeWindow how long a deduper is remembered; default 24 h
 * @param readers consumers kept for event queries, each serving one query at a time; default 4
 * @param readTimeout how long a query may wait for Kafka or for a free reader; default 10 s
 */
@Validated
@ConfigurationProperties("amebo.gateway")
public record GatewayProperties(
        @DefaultValue("1MB") @NotNull DataSize maxBodySize,
        @DefaultValue("1000") @Min(1) @Max(100_000) int maxBatchItems,
        @DefaultValue("5s") @NotNull Duration publishTimeout,
        @DefaultValue("200ms") @NotNull Duration maxBlock,
        @DefaultValue("http://localhost:3311") @NotBlank String registryUrl,
        @DefaultValue("2s") @NotNull Duration registryTimeout,
        @DefaultValue("http://localhost:3310") @NotBlank String publicUrl,
        @DefaultValue("24h") @NotNull Duration dedupeWindow,
        @DefaultValue("4") @Min(1) @Max(64) int readers,
        @DefaultValue("10s") @NotNull Duration readTimeout) {}
