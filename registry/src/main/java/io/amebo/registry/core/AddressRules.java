package io.amebo.registry.core;

import java.net.URI;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Registration-time rules for handler and application addresses (DESIGN §5, Safety): a literal address in the
 * loopback, link-local, private or unspecified ranges is refused unless allowed; host names are never resolved
 * here (delivery checks what they resolve to).
 */
public final class AddressRules {

    private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");

    private AddressRules() {}

    /** Why {@code url}'s host is a refused literal address, or empty. */
    public static Optional<String> checkLiteralHost(String url, boolean allowPrivate) {
        if (allowPrivate) {
            return Optional.empty();
        }
        String host = URI.create(url).getHost();
        if (host == null) {
            return Optional.empty();
        }
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return isPrivateLiteral(h)
                ? Optional.of("points at a loopback, link-local or private address, which is not allowed here")
                : Optional.empty();
    }

    static boolean isPrivateLiteral(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        var m = IPV4.matcher(host);
        if (m.matches()) {
            int a = Integer.parseInt(m.group(1));
            int b = Integer.parseInt(m.group(2));
            return a == 0
                    || a == 10
                    || a == 127
                    || (a == 169 && b == 254)
                    || (a == 172 && b >= 16 && b <= 31)
                    || (a == 192 && b == 168)
                    || (a == 100 && b >= 64 && b <= 127);
        }
        if (host.contains(":")) {
            String v6 = host.toLowerCase();
            return v6.equals("::1")
                    || v6.equals("::")
                    || v6.startsWith("fe80:")
                    || v6.startsWith("fc")
                    || v6.startsWith("fd")
                    || v6.startsWith("::ffff:");
        }
        return false;
    }
}
