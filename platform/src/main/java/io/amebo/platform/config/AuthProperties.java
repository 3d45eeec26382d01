package io.amebo.platform.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Authentication and secrets ({@code amebo.auth.*}; DESIGN §4.1).
 *
 * @param adminToken the admin's bearer token ({@code AMEBO_ADMIN_TOKEN}); required, at least 16 characters
 * @param masterKey base64 of at least 32 random bytes; seals application secrets and derives the token key;
 *     required, and the same for every service of one installation ({@code AMEBO_AUTH_MASTER_KEY})
 * @param tokenLifetime how long an application token from {@code POST /v1/tokens} is valid; default 1 h
 * @param secretGrace how long a rotated-out secret still authenticates and signs; default 24 h
 * @param loginFailures wrong secrets for one application per {@code loginWindow} before its logins answer 429;
 *     default 10
 * @param tokensPerWindow tokens issued to one application per {@code loginWindow}; default 60
 * @param loginWindow the window of both limits; default 1 min
 */
@Validated
@ConfigurationProperties("amebo.auth")
public record AuthProperties(
        @NotBlank @Size(min = 16, message = "must be at least 16 characters")
        String adminToken,

        @NotBlank String masterKey,
        @DefaultValue("1h") @NotNull Duration tokenLifetime,
        @DefaultValue("24h") @NotNull Duration secretGrace,
        @DefaultValue("10") @Min(1) int loginFailures,
        @DefaultValue("60") @Min(1) int tokensPerWindow,
        @DefaultValue("1m") @NotNull Duration loginWindow) {}
