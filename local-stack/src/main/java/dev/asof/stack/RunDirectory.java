package dev.asof.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code <home>/run}: which processes a running stack consists of, so that {@code down} and {@code status} work from
 * another terminal and leftovers of a killed launcher can be found. A process is recognised by pid and start time
 * together, so a recycled pid is never mistaken for ours.
 */
final class RunDirectory {

    static final String SUPERVISOR = "launcher";

    private static final List<String> ORDER =
            List.of(SUPERVISOR, "kafka", "dynalite", "ingestion-service", "reconstruction-service", "merge-service");
    private static final String STATE_FILE = "state";

    private final Path dir;

    RunDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * One recorded process. {@code probe} is {@code tcp:host:port} or an HTTP health URL; {@code restarts} counts how
     * often the launcher started it again after it died.
     */
    record Entry(String name, long pid, String started, String endpoint, String probe, String log, int restarts) {

        /** The process, if it still runs and is the one recorded. */
        Optional<ProcessHandle> live() {
            return ProcessHandle.of(pid)
                    .filter(p -> p.isAlive() && !isZombie(p.pid()) && startOf(p).equals(started));
        }
    }

    /** Records the current process as the stack's launcher. */
    void recordLauncher(boolean detached, Path log) throws IOException {
        record(SUPERVISOR, ProcessHandle.current(), detached ? "detached" : "foreground", "", log, 0);
    }

    Optional<Entry> launcher() {
        return read(dir.resolve(SUPERVISOR + ".properties"));
    }

    void record(String name, ProcessHandle process, String endpoint, String probe, Path log, int restarts)
            throws IOException {
        Files.createDirectories(dir);
        Properties properties = new Properties();
        properties.setProperty("pid", Long.toString(process.pid()));
        properties.setProperty("started", startOf(process));
        properties.setProperty("endpoint", endpoint);
        properties.setProperty("probe", probe);
        properties.setProperty("log", log == null ? "" : log.toString());
        properties.setProperty("restarts", Integer.toString(restarts));
        Path file = dir.resolve(name + ".properties");
        Path temporary = dir.resolve(name + ".properties.tmp");
        try (OutputStream out = Files.newOutputStream(temporary)) {
            properties.store(out, "asof local stack: " + name);
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    void forget(String name) {
        try {
            Files.deleteIfExists(dir.resolve(name + ".properties"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recorded children, in start order (without the launcher). */
    List<Entry> children() {
        List<Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.properties")) {
            for (Path file : files) {
                read(file).filter(e -> !e.name().equals(SUPERVISOR)).ifPresent(entries::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        entries.sort(Comparator.comparingInt(e -> {
            int index = ORDER.indexOf(e.name());
            return index < 0 ? ORDER.size() : index;
        }));
        return entries;
    }

    void state(String state) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(STATE_FILE), state);
    }

    Optional<String> state() {
        try {
            Path file = dir.resolve(STATE_FILE);
            return Files.exists(file) ? Optional.of(Files.readString(file).trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Forgets everything; the stack is down. */
    void clear() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Optional<Entry> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
            String name = file.getFileName().toString().replaceFirst("\\.properties$", "");
            return Optional.of(new Entry(
                    name,
                    Long.parseLong(properties.getProperty("pid", "-1")),
                    properties.getProperty("started", ""),
                    properties.getProperty("endpoint", ""),
                    properties.getProperty("probe", ""),
                    properties.getProperty("log", ""),
                    Integer.parseInt(properties.getProperty("restarts", "0"))));
        } catch (IOException | NumberFormatException unreadable) {
            // Half-written by a launcher that was killed: as good as absent.
            return Optional.empty();
        }
    }

    /** A killed process whose parent has not collected it yet still has a pid, but runs no more. */
    private static boolean isZombie(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            // pid (command) state ...: the command may contain spaces and parentheses, the state follows the last ')'.
            String line = Files.readString(stat);
            String afterCommand = line.substring(line.lastIndexOf(')') + 1).trim();
            return afterCommand.startsWith("Z");
        } catch (IOException | RuntimeException notLinux) {
            return false;
        }
    }

    private static String startOf(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toString).orElse("unknown");
    }
}
