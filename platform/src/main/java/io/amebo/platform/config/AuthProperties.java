package io.amebo.platform.config;

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
 */
@Validated
@ConfigurationProperties("amebo.auth")
public record AuthProperties(
        @NotBlank @Size(min = 16, message = "must be at least 16 characters")
        String adminToken,

        @NotBlank String masterKey,
        @DefaultValue("1h") @NotNull Duration tokenLifetime,
        @DefaultValue("24h") @NotNull Duration secretGrace) {}
