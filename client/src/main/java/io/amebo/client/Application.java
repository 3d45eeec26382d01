package io.amebo.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A registered application.
 *
 * @param address its base URL; subscriptions' handler paths resolve against it
 * @param timestamped when it was registered
 * @param secret its secret, only in the answer that created it (given or generated) or rotated it; else null
 * @param previousSecretValidUntil after a rotation: until when the old secret keeps working, or null
 */
public record Application(
        String application,
        String address,
        Instant timestamped,
        String secret,
        @JsonProperty("previous_secret_valid_until") Instant previousSecretValidUntil) {}
