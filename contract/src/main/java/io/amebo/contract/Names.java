package io.amebo.contract;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The naming rules for the things users name. Each check returns the problem as a sentence, or empty when the
 * name is fine, so callers can collect every violation instead of stopping at the first.
 */
public final class Names {

    /** Action names become topic names (DESIGN §3): lower case, so that topics never differ only by case. */
    public static final Pattern ACTION = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,199}$");

    /** Application and subscription names become consumer-group names and URL path segments. */
    public static final Pattern APPLICATION = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$");

    public static final Pattern SUBSCRIPTION = APPLICATION;

    private Names() {}

    public static Optional<String> checkAction(String name) {
        // every published event's action is checked: a loop, not the regular expression (profiles of batch publish)
        return name != null && isActionName(name)
                ? Optional.empty()
                : check(
                        name,
                        ACTION,
                        "must be 1 to 200 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
    }

    /** {@link #ACTION}, spelled out. */
    private static boolean isActionName(String name) {
        if (name.isEmpty() || name.length() > 200) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alphanumeric = c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
            if (!alphanumeric && (i == 0 || c != '.' && c != '_' && c != '-')) {
                return false;
            }
        }
        return true;
    }

    public static Optional<String> checkApplication(String name) {
        return check(
                name,
                APPLICATION,
                "must be 1 to 100 characters of A-Z, a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
    }

    public static Optional<String> checkSubscription(String name) {
        return checkApplication(name);
    }

    private static Optional<String> check(String name, Pattern pattern, String rule) {
        if (name == null || name.isEmpty()) {
            return Optional.of("is required");
        }
        return pattern.matcher(name).matches() ? Optional.empty() : Optional.of(rule);
    }
}
