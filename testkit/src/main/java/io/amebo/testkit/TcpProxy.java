package io.amebo.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Forwards a local loopback port to a server, and can cut the line: {@link #cut} resets every connection at once and
 * refuses new ones (nothing listens on the port) until {@link #restore} listens on the same port again. A client
 * configured with the proxy's port sees its server go away and come back, as in a database outage or a network
 * partition, while the server itself keeps running for everyone else.
 *
 * <p>A thread per connection and direction, so meant for tests with a modest number of connections. Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REBIND_FOR = Duration.ofSeconds(10);
    private static final Duration REBIND_PAUSE = Duration.ofMillis(50);

    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private ServerSocket server; // null while cut; guarded by this
    private boolean closed; // guarded by this

    private TcpProxy(InetSocketAddress target, ServerSocket server) {
        this.target = target;
        this.server = server;
        this.port = server.getLocalPort();
    }

    /** Starts forwarding a free loopback port to {@code host:port}. */
    public static TcpProxy start(String host, int port) {
        try {
            TcpProxy proxy = new TcpProxy(new InetSocketAddress(host, port), listen(0));
            proxy.acceptOn(proxy.server);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a proxy to " + host + ":" + port, e);
        }
    }

    /** The local port clients connect to. */
    public int port() {
        return port;
    }

    /** Resets every connection through the proxy and refuses new ones until {@link #restore}. */
    public synchronized void cut() {
        if (server != null) {
            closeQuietly(server);
            server = null;
        }
        sockets.forEach(TcpProxy::reset);
        sockets.clear();
    }

    /** Listens again on the same port; nothing if the line is not cut. */
    public synchronized void restore() {
        if (closed || server != null) {
            return;
        }
        long deadline = System.nanoTime() + REBIND_FOR.toNanos();
        while (true) {
            try {
                server = listen(port);
                acceptOn(server);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException("could not listen on port " + port + " again", e);
                }
                LockSupport.parkNanos(REBIND_PAUSE.toNanos()); // the old socket may linger for a moment
            }
        }
    }

    public synchronized boolean isCut() {
        return server == null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        cut();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        return socket;
    }

    private void acceptOn(ServerSocket listening) {
        daemon(() -> accept(listening), "tcp-proxy-" + port + "-accept");
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            Socket client;
            try {
                client = listening.accept();
            } catch (IOException e) {
                return; // cut or closed
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, (int) CONNECT_TIMEOUT.toMillis());
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
            } catch (IOException e) {
                reset(client);
                closeQuietly(upstream);
                continue;
            }
            sockets.add(client);
            sockets.add(upstream);
            synchronized (this) {
                if (server != listening) { // cut while this connection was being made
                    sockets.remove(client);
                    sockets.remove(upstream);
                    reset(client);
                    reset(upstream);
                    continue;
                }
            }
            daemon(() -> pump(client, upstream), "tcp-proxy-" + port + "-out");
            daemon(() -> pump(upstream, client), "tcp-proxy-" + port + "-in");
        }
    }

    private void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // either side closed, or the line was cut
        } finally {
            sockets.remove(from);
            sockets.remove(to);
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Closes with a reset rather than an orderly shutdown, as when a server or the network goes away. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed
        }
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
