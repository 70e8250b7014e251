package dev.asof.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP server on a free local port that accepts every connection and never answers: a dependency that hangs rather
 * than fails. Closing it closes the connections it holds.
 */
public final class SilentServer implements AutoCloseable {

    private final ServerSocket socket;
    private final List<Socket> held = new ArrayList<>();

    private SilentServer(ServerSocket socket) {
        this.socket = socket;
    }

    /** Starts accepting on a free port. */
    public static SilentServer start() {
        try {
            SilentServer server = new SilentServer(new ServerSocket(0));
            Thread acceptor = new Thread(server::accept, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a local server socket", e);
        }
    }

    /** The port it listens on. */
    public int port() {
        return socket.getLocalPort();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                synchronized (held) {
                    held.add(connection);
                }
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        synchronized (held) {
            for (Socket connection : held) {
                connection.close();
            }
        }
    }
}
