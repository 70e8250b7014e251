package dev.asof.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * dynalite, the DynamoDB-compatible server from npm, run as a child process. Installs it with {@code npm ci}
 * from the committed lockfile when {@code node_modules} lacks it.
 */
public final class DynaliteProcess implements AutoCloseable, SupervisedProcess {

    /**
     * Loaded into dynalite before it starts: keeps it alive on Ctrl-C, which is the launcher's to handle, and makes
     * dynalite 4.0.0 close its LevelDB iterators, without which its memory grows by about 10 MB a second under reads
     * and never comes back (docs/local-stack.md, "dynalite's memory").
     */
    static final String PRELOAD = "local-stack/src/main/node/dynalite-preload.cjs";

    /**
     * V8's old-space limit for a store on disk, where the heap only holds requests in flight (about 60 MB under a
     * steady read load): a leak we do not know of yet ends in an out-of-memory exit, which the launcher restarts,
     * rather than in gigabytes. In memory the heap holds all the data, so there it is left to V8's default.
     */
    static final int ON_DISK_HEAP_LIMIT_MB = 256;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final Process process;
    private final int port;

    private DynaliteProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts dynalite on {@code port}, keeping data under {@code dataDir} ({@code null}: in memory), writing its
     * output to {@code logFile}; returns once it accepts connections.
     */
    public static DynaliteProcess start(Path projectRoot, int port, Path dataDir, Path logFile)
            throws IOException, InterruptedException {
        Path cli = ensureInstalled(projectRoot);
        Path preload = projectRoot.resolve(PRELOAD);
        if (!Files.isRegularFile(preload)) {
            throw new IOException(preload + " is missing; is " + projectRoot + " the asof checkout?");
        }
        List<String> command = new ArrayList<>(List.of("node"));
        if (dataDir != null) {
            command.add("--max-old-space-size=" + ON_DISK_HEAP_LIMIT_MB);
        }
        command.addAll(List.of(
                "--require",
                preload.toString(),
                cli.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--createTableMs",
                "0",
                "--deleteTableMs",
                "0",
                "--updateTableMs",
                "0"));
        if (dataDir != null) {
            Files.createDirectories(dataDir);
            command.add("--path");
            command.add(dataDir.toString());
        }
        Process process = ChildProcesses.start(command, projectRoot, logFile);
        DynaliteProcess dynalite = new DynaliteProcess(process, port);
        dynalite.awaitListening(logFile);
        return dynalite;
    }

    /** The path of dynalite's command-line entry point, running {@code npm ci} first when it is missing. */
    public static synchronized Path ensureInstalled(Path projectRoot) throws IOException, InterruptedException {
        Path cli = projectRoot.resolve("node_modules/dynalite/cli.js");
        if (Files.exists(cli)) {
            return cli;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(projectRoot.toFile())
                .inheritIO()
                .start();
        if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            throw new IOException("`npm ci` in " + projectRoot + " failed; dynalite needs Node.js 20+ and npm");
        }
        if (!Files.exists(cli)) {
            throw new IOException("`npm ci` succeeded but " + cli + " is missing");
        }
        return cli;
    }

    /** The HTTP endpoint to give the AWS SDK. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** Whether the process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The operating-system process, for tools that report on it. */
    @Override
    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** The exit code, once it exited. */
    @Override
    public int exitValue() {
        return process.onExit().join().exitValue();
    }

    /** Whether it accepts connections. */
    @Override
    public boolean isReady() {
        return accepts(port);
    }

    @Override
    public void close() {
        ChildProcesses.stop(process.toHandle(), STOP_GRACE);
    }

    private void awaitListening(Path logFile) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("dynalite exited with code " + process.exitValue() + "; see " + logFile);
            }
            if (accepts(port)) {
                return;
            }
            Thread.sleep(50);
        }
        close();
        throw new IOException(
                "dynalite did not listen on port " + port + " within " + START_TIMEOUT + "; see " + logFile);
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }
}
