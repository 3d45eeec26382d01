package io.amebo.standalone.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amebo.testkit.TcpProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The testkit's {@link TcpProxy}: forwards, cuts every connection and refuses new ones, and comes back. */
class TcpProxyTest {

    private ServerSocket echo;
    private TcpProxy proxy;

    @BeforeEach
    void startAnEchoServerBehindAProxy() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread server = new Thread(this::serve, "echo");
        server.setDaemon(true);
        server.start();
        proxy = TcpProxy.start("localhost", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void forwardsCutsAndRestores() throws IOException {
        try (Socket before = connect()) {
            assertThat(roundTrip(before, 'a')).isEqualTo('a');

            proxy.cut();

            assertThatThrownBy(() -> roundTrip(before, 'b')).isInstanceOf(IOException.class);
            assertRefused();
        }

        proxy.restore();

        try (Socket after = connect()) {
            assertThat(roundTrip(after, 'c')).isEqualTo('c');
        }
    }

    /**
     * A new connection is refused. Linux lets a loopback connect to a port nobody listens on succeed now and then,
     * when it picks that same port as the source (a TCP self-connect): such a connection reaches no proxy, so it is
     * closed and the connect tried again.
     */
    private void assertRefused() throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            try (Socket socket = connect()) {
                assertThat(socket.getLocalPort())
                        .as("a connection while the line is cut reached something other than itself")
                        .isEqualTo(socket.getPort());
            } catch (ConnectException refused) {
                return;
            }
        }
        throw new AssertionError("five connects in a row connected to themselves");
    }

    private Socket connect() throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    }

    /** Writes one byte and reads one back; an IOException if the line is gone. */
    private static char roundTrip(Socket socket, char c) throws IOException {
        socket.setSoTimeout(5_000);
        socket.getOutputStream().write(c);
        socket.getOutputStream().flush();
        int read = socket.getInputStream().read();
        if (read < 0) {
            throw new IOException("closed");
        }
        return (char) read;
    }

    private void serve() {
        while (!echo.isClosed()) {
            try {
                Socket client = echo.accept();
                Thread thread = new Thread(() -> pump(client), "echo-client");
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pump(Socket client) {
        try (client;
                InputStream in = client.getInputStream();
                OutputStream out = client.getOutputStream()) {
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
                out.flush();
            }
        } catch (IOException e) {
            // the proxy dropped the connection
        }
    }
}
