package io.amebo.contract.registry;

import java.time.Instant;
import java.util.List;

/**
 * An application as the registry changelog carries it. Secrets are sealed (encrypted under the master key), never
 * in plain text: the current one first, then a rotated-out one with the instant its grace period ends.
 */
public record ApplicationState(String application, String address, List<SealedSecret> secrets, Instant timestamped) {

    public ApplicationState {
        secrets = List.copyOf(secrets);
    }

    /** A sealed secret; {@code until} is null for the current secret. */
    public record SealedSecret(String sealed, Instant until) {}

    /** The sealed secrets usable at {@code now}: the current one and any rotated-out one still in grace. */
    public List<String> usableSecrets(Instant now) {
        return secrets.stream()
                .filter(s -> s.until() == null || s.until().isAfter(now))
                .map(SealedSecret::sealed)
                .toList();
    }
}
