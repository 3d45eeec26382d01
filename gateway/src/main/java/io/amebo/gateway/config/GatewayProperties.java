package io.amebo.gateway.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits of the publishing path ({@code amebo.gateway.*}).
 *
 * @param maxBodySize the largest request body accepted, single or batch; larger gets 413; default 1 MB
 * @param maxBatchItems the most events in one batch publish; default 1000
 * @param publishTimeout how long a publish waits for the broker's ack before answering 503; default 5 s
 */
@Validated
@ConfigurationProperties("amebo.gateway")
public record GatewayProperties(
        @DefaultValue("1MB") @NotNull DataSize maxBodySize,
        @DefaultValue("1000") @Min(1) @Max(100_000) int maxBatchItems,
        @DefaultValue("5s") @NotNull Duration publishTimeout) {}
