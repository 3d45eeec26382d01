package io.amebo.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Forwards connections from a local port to a server: a Kafka bootstrap address that starts answering only when a
 * test opens it (clients learn the broker's own address from the metadata it answers, and connect there after).
 */
final class TcpForwarder implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private TcpForwarder(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    /** Starts forwarding {@code localhost:port} to {@code hostAndPort}. */
    static TcpForwarder start(int port, String hostAndPort) throws IOException {
        int colon = hostAndPort.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(
                hostAndPort.substring(0, colon), Integer.parseInt(hostAndPort.substring(colon + 1)));
        ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        TcpForwarder forwarder = new TcpForwarder(server, target);
        daemon(forwarder::accept, "forwarder-accept");
        return forwarder;
    }

    /** A port that nothing listens on right now. */
    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(upstream);
                daemon(() -> pump(client, upstream), "forwarder-out");
                daemon(() -> pump(upstream, client), "forwarder-in");
            } catch (IOException e) {
                // closed: stop accepting
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // either side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sockets.forEach(TcpForwarder::closeQuietly);
    }
}
