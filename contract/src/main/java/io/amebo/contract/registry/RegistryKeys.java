package io.amebo.contract.registry;

import java.util.Optional;

/**
 * Keys of the compacted registry changelog (DESIGN §3): {@code application/<name>}, {@code action/<name>},
 * {@code subscription/<name>}. A record's value is the entity's current state as JSON ({@link ApplicationState},
 * {@link ActionState}, {@link SubscriptionState}); a null value (tombstone) means it was deleted.
 */
public final class RegistryKeys {

    public enum Kind {
        APPLICATION("application/"),
        ACTION("action/"),
        SUBSCRIPTION("subscription/");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        public String key(String name) {
            return prefix + name;
        }
    }

    /** A parsed key. */
    public record Key(Kind kind, String name) {}

    private RegistryKeys() {}

    public static Optional<Key> parse(String key) {
        if (key == null) {
            return Optional.empty();
        }
        for (Kind kind : Kind.values()) {
            if (key.startsWith(kind.prefix) && key.length() > kind.prefix.length()) {
                return Optional.of(new Key(kind, key.substring(kind.prefix.length())));
            }
        }
        return Optional.empty();
    }
}
