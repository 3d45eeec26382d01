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
    void forwardsCutsAndRestores() throws IOException, InterruptedException {
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
     * A new connection is refused, soon. Two things may still answer a connect just after the cut, and neither is the
     * proxy forwarding: the closed listening socket, whose file descriptor the JDK closes only once its accepting
     * thread lets go (a connect in that moment lands in its backlog and is reset), and the port itself, when Linux
     * picks it as the connect's own source (a TCP self-connect). So a connection that succeeds must carry nothing
     * through to the echo server; then the connect is tried again, until one is refused.
     */
    private void assertRefused() throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (Socket socket = connect()) {
                boolean selfConnect = socket.getLocalPort() == socket.getPort(); // it would echo itself
                assertThat(!selfConnect && echoes(socket))
                        .as("a connection made while the line is cut was forwarded")
                        .isFalse();
            } catch (ConnectException refused) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("50 connects in a row, over a second, were not refused");
    }

    /** Whether a byte written comes back within a second. */
    private static boolean echoes(Socket socket) {
        try {
            socket.setSoTimeout(1_000);
            socket.getOutputStream().write('x');
            socket.getOutputStream().flush();
            return socket.getInputStream().read() == 'x';
        } catch (IOException e) {
            return false; // reset, closed, or silent
        }
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
