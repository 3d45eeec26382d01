package io.amebo.registry.core;

import io.amebo.contract.AddressRanges;
import java.net.URI;
import java.util.Optional;

/**
 * Registration-time rules for handler and application addresses (DESIGN §5, Safety): a literal address is judged by
 * {@link AddressRanges}: loopback and private ones are refused unless allowed, reserved ones (link-local, cloud
 * metadata, documentation, NAT64, multicast, ...) always; host names are never resolved here (delivery checks
 * what they resolve to, where it connects).
 */
public final class AddressRules {

    private AddressRules() {}

    /** Why {@code url}'s host is a refused literal address, or empty. */
    public static Optional<String> checkLiteralHost(String url, boolean allowPrivate) {
        String host = URI.create(url).getHost();
        if (host == null) {
            return Optional.empty();
        }
        return AddressRanges.kindOfLiteral(host)
                .filter(kind -> !AddressRanges.allowed(kind, allowPrivate, allowPrivate))
                .map(kind -> kind == AddressRanges.Kind.RESERVED
                        ? "points at a reserved address (link-local, documentation, multicast, ...), which is never"
                                + " allowed"
                        : "points at a loopback or private address, which is not allowed here");
    }
}
