package dev.asof.stack;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What every child process of the local stack needs: a start that Ctrl-C cannot reach, an orderly stop, a log. */
final class ChildProcesses {

    private ChildProcesses() {}

    /**
     * Wraps {@code command} so the child ignores SIGINT. Ctrl-C in a terminal signals the whole foreground process
     * group at once; the launcher alone must see it, so it can stop the services before the broker they use.
     * SIGTERM, which {@link Process#destroy()} sends, still works, and {@code exec} keeps the pid.
     */
    static List<String> ignoringInterrupt(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", "trap '' INT; exec \"$@\"", "asof-child"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Starts {@code command} in {@code workDir}, appending its stdout and stderr to {@code logFile}. */
    static Process start(List<String> command, Path workDir, Path logFile) throws IOException {
        return start(command, java.util.Map.of(), workDir, logFile);
    }

    /**
     * Like {@link #start(List, Path, Path)} with variables added to the child's environment: the way to hand a
     * child a secret, which on its command line every local user could read ({@code ps}, {@code /proc/<pid>/cmdline}).
     */
    static Process start(List<String> command, java.util.Map<String, String> environment, Path workDir, Path logFile)
            throws IOException {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(ignoringInterrupt(command));
        builder.environment().putAll(environment);
        return builder.directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(devNull()))
                .start();
    }

    /** Asks the process to stop (SIGTERM), then kills it and whatever it started if it is still there after grace. */
    static void stop(ProcessHandle process, Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for pid " + process.pid() + " failed", e.getCause());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The last {@code lines} lines of a log file for an error message, led by the root cause of the last stack trace
     * and Spring Boot's failure description when the log has them, since a tail of stack frames alone rarely says
     * what went wrong.
     */
    static String tail(Path logFile, int lines) {
        if (logFile == null || !Files.isRegularFile(logFile)) {
            return "    (no log at " + logFile + ")";
        }
        List<String> all;
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = file.length();
            int window = (int) Math.min(length, 256 * 1024);
            byte[] bytes = new byte[window];
            file.seek(length - window);
            file.readFully(bytes);
            all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
        } catch (IOException e) {
            return "    (could not read " + logFile + ": " + e.getMessage() + ")";
        }
        StringBuilder out = new StringBuilder();
        String rootCause = null;
        for (String line : all) {
            if (line.startsWith("Caused by: ")) {
                rootCause = line.substring("Caused by: ".length());
            }
        }
        int description = all.lastIndexOf("Description:");
        if (description >= 0) {
            int first = description + 1;
            while (first < all.size() && all.get(first).isBlank()) {
                first++;
            }
            for (int i = first; i < all.size() && i < first + 3 && !all.get(i).isBlank(); i++) {
                out.append("    ").append(all.get(i).strip()).append(System.lineSeparator());
            }
        }
        if (rootCause != null) {
            out.append("    root cause: ").append(rootCause).append(System.lineSeparator());
        }
        for (String line : all.subList(Math.max(0, all.size() - lines), all.size())) {
            out.append("    | ").append(line).append(System.lineSeparator());
        }
        return out.toString().stripTrailing();
    }

    /** The java executable of the running JVM; every child JVM uses the same one. */
    static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    private static File devNull() {
        return new File("/dev/null");
    }
}
