package dev.asof.reconstruction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A "DynamoDB" that accepts connections and never answers (a hanging store), until {@link #close()}: then its port
 * is closed and connections are refused (a store that is down).
 */
final class SilentStore implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    private SilentStore(ServerSocket server) {
        this.server = server;
        Thread acceptor = new Thread(this::accept, "silent-store");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static SilentStore start() {
        try {
            return new SilentStore(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                held.add(server.accept());
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            for (Socket socket : held) {
                socket.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
