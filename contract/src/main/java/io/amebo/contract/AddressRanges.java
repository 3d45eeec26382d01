package io.amebo.contract;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which kind of address a handler may be delivered to (DESIGN §5, Safety), by the IANA special-purpose address
 * registries (RFC 6890 and successors), for the registry's literal check and the dispatcher's check of what a name
 * resolves to. Addresses that embed an IPv4 address (IPv4-mapped, IPv4-compatible, 6to4) are judged by it.
 *
 * <ul>
 *   <li>{@link Kind#LOOPBACK}: 127.0.0.0/8, ::1 — allowed only where loopback is allowed (the standalone);
 *   <li>{@link Kind#PRIVATE}: 10/8, 172.16/12, 192.168/16, 100.64/10 (shared address space), fc00::/7 — allowed only
 *       where private addresses are allowed;
 *   <li>{@link Kind#RESERVED}: every other special-purpose range (0/8, 169.254/16 link-local and cloud metadata,
 *       192.0.0/24, 192.0.2/24, 198.18/15, 198.51.100/24, 203.0.113/24, multicast, 240/4, broadcast, ::, NAT64
 *       64:ff9b::/96 and 64:ff9b:1::/48, 100::/64, 2001::/23, 2001:db8::/32, fe80::/10, ff00::/8) — never allowed;
 *   <li>{@link Kind#PUBLIC}: the rest.
 * </ul>
 */
public final class AddressRanges {

    public enum Kind {
        PUBLIC,
        LOOPBACK,
        PRIVATE,
        RESERVED
    }

    private record Range(byte[] prefix, int bits, Kind kind) {}

    private static final List<Range> V4 = List.of(
            v4("0.0.0.0", 8, Kind.RESERVED),
            v4("10.0.0.0", 8, Kind.PRIVATE),
            v4("100.64.0.0", 10, Kind.PRIVATE),
            v4("127.0.0.0", 8, Kind.LOOPBACK),
            v4("169.254.0.0", 16, Kind.RESERVED),
            v4("172.16.0.0", 12, Kind.PRIVATE),
            v4("192.0.0.0", 24, Kind.RESERVED),
            v4("192.0.2.0", 24, Kind.RESERVED),
            v4("192.88.99.0", 24, Kind.RESERVED),
            v4("192.168.0.0", 16, Kind.PRIVATE),
            v4("198.18.0.0", 15, Kind.RESERVED),
            v4("198.51.100.0", 24, Kind.RESERVED),
            v4("203.0.113.0", 24, Kind.RESERVED),
            v4("224.0.0.0", 4, Kind.RESERVED),
            v4("240.0.0.0", 4, Kind.RESERVED));

    private static final List<Range> V6 = List.of(
            v6("::1", 128, Kind.LOOPBACK),
            v6("::", 128, Kind.RESERVED),
            v6("64:ff9b::", 96, Kind.RESERVED),
            v6("64:ff9b:1::", 48, Kind.RESERVED),
            v6("100::", 64, Kind.RESERVED),
            v6("2001::", 23, Kind.RESERVED),
            v6("2001:db8::", 32, Kind.RESERVED),
            v6("fc00::", 7, Kind.PRIVATE),
            v6("fe80::", 10, Kind.RESERVED),
            v6("ff00::", 8, Kind.RESERVED));

    private static final Pattern NUMERIC = Pattern.compile("^[0-9.]+$");

    private AddressRanges() {}

    public static Kind kindOf(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return match(bytes, V4);
        }
        if (address.isLoopbackAddress()) {
            return Kind.LOOPBACK; // ::1
        }
        if (address.isAnyLocalAddress()) {
            return Kind.RESERVED; // ::
        }
        Optional<byte[]> embedded = embeddedV4(bytes);
        return embedded.isPresent() ? match(embedded.get(), V4) : match(bytes, V6);
    }

    /** Whether an address of this kind may be delivered to, given what is allowed. */
    public static boolean allowed(Kind kind, boolean allowLoopback, boolean allowPrivate) {
        return switch (kind) {
            case PUBLIC -> true;
            case LOOPBACK -> allowLoopback;
            case PRIVATE -> allowPrivate;
            case RESERVED -> false;
        };
    }

    /**
     * The kind of a host that is an IP address literal (IPv4 in any form Java reads as numeric, or IPv6 with or
     * without brackets), or empty for a host name; never looks anything up. {@code localhost} counts as loopback.
     */
    public static Optional<Kind> kindOfLiteral(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")
                || h.toLowerCase(java.util.Locale.ROOT).endsWith(".localhost")) {
            return Optional.of(Kind.LOOPBACK);
        }
        if (!NUMERIC.matcher(h).matches() && !h.contains(":")) {
            return Optional.empty();
        }
        try {
            return Optional.of(kindOf(InetAddress.getByName(h))); // a numeric literal: parsed, not looked up
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96, deprecated) and 6to4 (2002::/16) carry an IPv4. */
    private static Optional<byte[]> embeddedV4(byte[] v6) {
        boolean zeroTen = true;
        for (int i = 0; i < 10; i++) {
            zeroTen &= v6[i] == 0;
        }
        boolean mapped = zeroTen && v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
        boolean compatible = zeroTen && v6[10] == 0 && v6[11] == 0;
        if (mapped || compatible) {
            return Optional.of(new byte[] {v6[12], v6[13], v6[14], v6[15]});
        }
        if (v6[0] == 0x20 && v6[1] == 0x02) {
            return Optional.of(new byte[] {v6[2], v6[3], v6[4], v6[5]});
        }
        return Optional.empty();
    }

    private static Kind match(byte[] address, List<Range> ranges) {
        if (address.length == 4 && (address[0] & 0xff) == 255 && isAll(address, (byte) 0xff)) {
            return Kind.RESERVED; // limited broadcast
        }
        for (Range range : ranges) {
            if (address.length == range.prefix().length && inPrefix(address, range.prefix(), range.bits())) {
                return range.kind();
            }
        }
        return Kind.PUBLIC;
    }

    private static boolean isAll(byte[] bytes, byte value) {
        for (byte b : bytes) {
            if (b != value) {
                return false;
            }
        }
        return true;
    }

    private static boolean inPrefix(byte[] address, byte[] prefix, int bits) {
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != prefix[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[full] & mask) == (prefix[full] & mask);
    }

    private static Range v4(String address, int bits, Kind kind) {
        return new Range(literal(address), bits, kind);
    }

    private static Range v6(String address, int bits, Kind kind) {
        return new Range(literal(address), bits, kind);
    }

    private static byte[] literal(String address) {
        try {
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}
