package dev.asof.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** {@code down}, {@code status}, {@code reset} and the background start of {@code up --detach}. */
final class StackControl {

    private static final Duration DOWN_GRACE = Duration.ofSeconds(90);
    private static final Duration DETACHED_START_LIMIT = Duration.ofMinutes(15);

    /** Exit code of {@code status} when nothing runs, as LSB init scripts do. */
    static final int NOT_RUNNING = 3;

    private final StackConfig config;
    private final PrintStream out;
    private final RunDirectory run;

    StackControl(StackConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
        this.run = new RunDirectory(config.runDir());
    }

    /** Stops a stack started by {@code up}, in the foreground elsewhere or in the background. */
    int down() {
        Optional<ProcessHandle> launcher = run.launcher().flatMap(RunDirectory.Entry::live);
        List<RunDirectory.Entry> children = liveChildren();
        if (launcher.isEmpty() && children.isEmpty()) {
            run.clear();
            out.println("The asof local stack is not running.");
            return 0;
        }
        long begin = System.nanoTime();
        if (launcher.isPresent()) {
            out.println("Stopping the asof local stack (launcher pid "
                    + launcher.get().pid() + ")...");
            // The launcher's shutdown hook stops its children in order: services, dynalite, Kafka.
            ChildProcesses.stop(launcher.get(), DOWN_GRACE);
        }
        // Anything a killed launcher left behind, newest first so Kafka goes last.
        List<RunDirectory.Entry> leftovers = new ArrayList<>(liveChildren());
        Collections.reverse(leftovers);
        for (RunDirectory.Entry leftover : leftovers) {
            out.println("Stopping " + leftover.name() + " (pid " + leftover.pid() + ")");
            leftover.live().ifPresent(process -> ChildProcesses.stop(process, Duration.ofSeconds(30)));
        }
        run.clear();
        out.printf(Locale.ROOT, "Stopped in %.1fs.%n", (System.nanoTime() - begin) / 1e9);
        return 0;
    }

    /** Prints what runs; 0 when everything is up and healthy, 1 when something is not, 3 when nothing runs. */
    int status() {
        Optional<RunDirectory.Entry> launcher =
                run.launcher().filter(entry -> entry.live().isPresent());
        List<RunDirectory.Entry> children = run.children();
        if (launcher.isEmpty() && liveChildren().isEmpty()) {
            out.println("The asof local stack is not running (home " + config.home() + ").");
            return NOT_RUNNING;
        }
        if (launcher.isPresent()) {
            RunDirectory.Entry entry = launcher.get();
            out.println(
                    "The asof local stack is " + run.state().orElse("RUNNING").toLowerCase(Locale.ROOT)
                            + " (launcher pid " + entry.pid() + ", " + entry.endpoint() + ", since "
                            + entry.started().replaceFirst("\\.\\d+Z$", "Z") + "). Home " + config.home());
        } else {
            out.println("The launcher is gone but some of its processes still run; `./asof down` stops them.");
        }
        out.printf(
                Locale.ROOT, "  %-24s %-8s %-10s %8s %8s  %s%n", "NAME", "PID", "STATE", "RESTARTS", "RSS", "ENDPOINT");
        boolean allGood = launcher.isPresent();
        for (RunDirectory.Entry child : children) {
            Optional<ProcessHandle> process = child.live();
            String state = process.isPresent()
                    ? probe(child.probe()) ? "up" : "starting"
                    // A ready stack's launcher starts a child that died again after a backoff.
                    : launcher.isPresent()
                                    && run.state().filter("READY"::equals).isPresent()
                            ? "restarting"
                            : "exited";
            allGood &= state.equals("up");
            String rss = process.stream()
                    .mapToLong(p -> residentKilobytes(p.pid()).orElse(-1))
                    .filter(kb -> kb >= 0)
                    .mapToObj(kb -> (kb / 1024) + " MB")
                    .findFirst()
                    .orElse("-");
            out.printf(
                    Locale.ROOT,
                    "  %-24s %-8d %-10s %8d %8s  %s%n",
                    child.name(),
                    child.pid(),
                    state,
                    child.restarts(),
                    rss,
                    child.endpoint());
        }
        return allGood ? 0 : 1;
    }

    /** Deletes the Kafka and DynamoDB data; keeps the API key and the logs. */
    int reset() throws StackException {
        if (run.launcher().flatMap(RunDirectory.Entry::live).isPresent()
                || !liveChildren().isEmpty()) {
            throw new StackException("the local stack is running; stop it first with `./asof down`");
        }
        for (Path dir : List.of(config.kafkaDir(), config.dynaliteDir())) {
            try {
                deleteRecursively(dir);
                out.println("Deleted " + dir);
            } catch (IOException e) {
                throw new StackException("could not delete " + dir + ": " + e.getMessage(), e);
            }
        }
        out.println("The next `./asof up` starts with empty Kafka topics and DynamoDB tables.");
        return 0;
    }

    /**
     * {@code up --detach}: starts a launcher in the background that runs {@code up}, shows its progress until the
     * stack is ready, then leaves it running. Ctrl-C before that stops the background launcher too.
     */
    int detach(List<String> launcherCommand) throws StackException {
        Optional<RunDirectory.Entry> running =
                run.launcher().filter(entry -> entry.live().isPresent());
        if (running.isPresent()) {
            throw new StackException("the local stack already runs (launcher pid "
                    + running.get().pid() + "); see `./asof status`, stop it with `./asof down`");
        }
        Path log = LocalStack.launcherLog(config);
        Process launcher;
        try {
            Files.createDirectories(log.getParent());
            Files.deleteIfExists(log);
            List<String> command = new ArrayList<>(List.of("sh", "-c", "trap '' INT HUP; exec \"$@\"", "asof"));
            command.addAll(launcherCommand);
            command.add("up");
            command.add("--supervisor");
            command.addAll(config.toArguments());
            launcher = new ProcessBuilder(command)
                    .directory(config.root().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new StackException("could not start the background launcher: " + e.getMessage(), e);
        }
        Thread stopIfNotReady = new Thread(() -> ChildProcesses.stop(launcher.toHandle(), DOWN_GRACE), "asof-abort");
        Runtime.getRuntime().addShutdownHook(stopIfNotReady);

        long offset = 0;
        long deadline = System.nanoTime() + DETACHED_START_LIMIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                offset = copyNewOutput(log, offset);
                boolean ready = run.state().filter("READY"::equals).isPresent()
                        && run.launcher().filter(e -> e.pid() == launcher.pid()).isPresent();
                if (ready) {
                    copyNewOutput(log, offset);
                    Runtime.getRuntime().removeShutdownHook(stopIfNotReady);
                    out.println("Launcher pid " + launcher.pid() + ", its output goes to " + log);
                    return 0;
                }
                if (!launcher.isAlive()) {
                    copyNewOutput(log, offset);
                    out.println("The background launcher exited with code " + launcher.exitValue()
                            + "; its output is in " + log);
                    return 1;
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
        throw new StackException("the background launcher did not get ready within " + DETACHED_START_LIMIT);
    }

    private List<RunDirectory.Entry> liveChildren() {
        return run.children().stream().filter(e -> e.live().isPresent()).toList();
    }

    private long copyNewOutput(Path log, long offset) {
        if (!Files.exists(log)) {
            return offset;
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            if (length <= offset) {
                return offset;
            }
            byte[] bytes = new byte[(int) (length - offset)];
            file.seek(offset);
            file.readFully(bytes);
            out.print(new String(bytes, StandardCharsets.UTF_8));
            out.flush();
            return length;
        } catch (IOException e) {
            return offset;
        }
    }

    /** {@code tcp:host:port} answers a connection, or an HTTP health URL answers UP. */
    private static boolean probe(String probe) {
        if (probe.startsWith("tcp:")) {
            String[] hostPort = probe.substring(4).split(":");
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 500);
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        return !probe.isEmpty() && ServiceProcess.isHealthy(URI.create(probe));
    }

    /** Resident memory of a process in KiB: {@code /proc} on Linux, {@code ps} elsewhere. */
    static OptionalLong residentKilobytes(long pid) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        try {
            if (Files.isReadable(status)) {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        return OptionalLong.of(Long.parseLong(line.replaceAll("\\D", "")));
                    }
                }
            }
            Process ps = new ProcessBuilder("ps", "-o", "rss=", "-p", Long.toString(pid)).start();
            try (InputStream in = ps.getInputStream()) {
                String value = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                ps.waitFor(5, TimeUnit.SECONDS);
                return value.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
