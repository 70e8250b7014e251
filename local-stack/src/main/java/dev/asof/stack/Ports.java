package dev.asof.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Whether a TCP port is free, and if not, which process holds it. */
final class Ports {

    private static final Path PROC = Path.of("/proc");
    private static final String TCP_LISTEN = "0A";

    private Ports() {}

    /** A free port for tests, chosen by the operating system. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Whether nothing listens on {@code port} on any local address. Binds the wildcard address, which conflicts
     * with a listener on any single address too.
     */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    /**
     * A description of the process listening on {@code port}, such as {@code pid 4711 (java ... kafka.Kafka ...)}.
     * Reads {@code /proc} on Linux; elsewhere, or for another user's process, there is no answer.
     */
    static Optional<String> ownerOf(int port) {
        Set<String> inodes = listeningInodes(port);
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path process : processes) {
                if (holdsSocket(process, inodes)) {
                    long pid = Long.parseLong(process.getFileName().toString());
                    String command = ProcessHandle.of(pid)
                            .flatMap(handle -> handle.info().commandLine())
                            .map(Ports::shorten)
                            .orElse("command unknown");
                    return Optional.of("pid " + pid + " (" + command + ")");
                }
            }
        } catch (IOException | RuntimeException cannotTell) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Set<String> listeningInodes(int port) {
        Set<String> inodes = new HashSet<>();
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String table : List.of("net/tcp", "net/tcp6")) {
            Path file = PROC.resolve(table);
            if (!Files.isReadable(file)) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(file)) {
                    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 9 && fields[1].endsWith(hexPort) && fields[3].equals(TCP_LISTEN)) {
                        inodes.add(fields[9]);
                    }
                }
            } catch (IOException unreadable) {
                // Not Linux, or not allowed: no owner to name.
            }
        }
        return inodes;
    }

    private static boolean holdsSocket(Path process, Set<String> inodes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path fd : fds) {
                String target = Files.readSymbolicLink(fd).toString();
                if (target.startsWith("socket:[")
                        && inodes.contains(target.substring("socket:[".length(), target.length() - 1))) {
                    return true;
                }
            }
        } catch (IOException | SecurityException notOurs) {
            // Another user's process, or it just exited.
        }
        return false;
    }

    private static String shorten(String commandLine) {
        String oneLine = commandLine.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }
}
