package io.amebo.dispatcher.delivery;

import io.amebo.contract.AddressRanges;
import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import reactor.core.scheduler.Schedulers;

/**
 * The webhook client's name resolution (DESIGN §5, Safety): a handler's host is looked up once, every address it
 * resolves to is checked against {@link AddressRanges}, and Netty connects to those checked addresses and nothing
 * else. There is no second lookup that a rebinding DNS answer could slip a private address into; the request keeps
 * the host name for its {@code Host} header and TLS SNI. Lookups use the JVM's resolver (hosts file, DNS cache) off
 * the event loop.
 */
public final class GuardedResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    /** A lookup of all addresses of a host; the JVM's by default, another in tests. */
    @FunctionalInterface
    interface Lookup {
        InetAddress[] all(String host) throws UnknownHostException;
    }

    /** The connection was refused before it was made: the host resolves to an address that may not be called. */
    static final class RefusedAddressException extends UnknownHostException {
        RefusedAddressException(String host) {
            super("the handler's host " + host
                    + " resolves to a loopback, private or reserved address, which may not be called");
        }
    }

    private final Lookup lookup;
    private final boolean allowLoopback;
    private final boolean allowPrivate;

    /** With the JVM's resolver. */
    public GuardedResolverGroup(boolean allowLoopback, boolean allowPrivate) {
        this(InetAddress::getAllByName, allowLoopback, allowPrivate);
    }

    GuardedResolverGroup(Lookup lookup, boolean allowLoopback, boolean allowPrivate) {
        this.lookup = lookup;
        this.allowLoopback = allowLoopback;
        this.allowPrivate = allowPrivate;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new Resolver(executor);
    }

    private final class Resolver extends AbstractAddressResolver<InetSocketAddress> {

        Resolver(EventExecutor executor) {
            super(executor, InetSocketAddress.class);
        }

        @Override
        protected boolean doIsResolved(InetSocketAddress address) {
            return !address.isUnresolved();
        }

        @Override
        protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
            Schedulers.boundedElastic().schedule(() -> {
                try {
                    promise.trySuccess(checked(unresolved).get(0));
                } catch (Exception e) {
                    promise.tryFailure(e);
                }
            });
        }

        @Override
        protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
            Schedulers.boundedElastic().schedule(() -> {
                try {
                    promise.trySuccess(checked(unresolved));
                } catch (Exception e) {
                    promise.tryFailure(e);
                }
            });
        }
    }

    /** Every address of the host, if every one may be called; one that may not refuses them all. */
    private List<InetSocketAddress> checked(InetSocketAddress unresolved) throws UnknownHostException {
        String host = unresolved.getHostString();
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (InetAddress address : lookup.all(host)) {
            if (!AddressRanges.allowed(AddressRanges.kindOf(address), allowLoopback, allowPrivate)) {
                throw new RefusedAddressException(host);
            }
            addresses.add(new InetSocketAddress(address, unresolved.getPort()));
        }
        if (addresses.isEmpty()) {
            throw new UnknownHostException(host);
        }
        return addresses;
    }
}
