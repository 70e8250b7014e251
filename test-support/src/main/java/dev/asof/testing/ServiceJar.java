package dev.asof.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One service's executable jar, run as its own JVM the way `./asof up` runs it, for end-to-end tests and benchmarks. */
public final class ServiceJar implements AutoCloseable {

    private static final Duration STOPPING = Duration.ofSeconds(20);

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;
    /** How long {@link #close()} waits for the JVM to exit before killing it. */
    private final Duration stopping;

    private ServiceJar(String name, int port, Process process, Path log, Duration stopping) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
        this.stopping = stopping;
    }

    /** Starts {@code module}'s jar on a free port with {@code properties}, and waits until it is healthy. */
    public static ServiceJar start(String module, Map<String, String> properties) {
        return start(module, properties, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"));
    }

    /** Like {@link #start(String, Map)} with JVM options of your own (heap, GC). */
    public static ServiceJar start(String module, Map<String, String> properties, List<String> jvmOptions) {
        Path jar = SharedInfrastructure.projectRoot().resolve(module + "/target/" + module + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: build the services first (./mvnw verify builds" + " them before this module)");
        }
        int port = SharedInfrastructure.freePort();
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        ClassDataSharing.Run shared =
                ClassDataSharing.ENABLED ? ClassDataSharing.prepare(module, jar).orElse(null) : null;
        if (shared != null) {
            command.addAll(shared.jvmOptions());
        }
        command.addAll(List.of("-jar", (shared == null ? jar : shared.jar()).toString(), "--server.port=" + port));
        properties.forEach((key, value) -> command.add("--" + key + "=" + value));
        try {
            Path log = Files.createTempFile("asof-" + module, ".log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (shared != null) {
                shared.started(process);
            }
            // a JVM writing the class-data archive as it exits takes 13 s more to stop, longer on a busy machine
            Duration stopping = shared != null && shared.writing() != null ? Duration.ofSeconds(120) : STOPPING;
            ServiceJar service = new ServiceJar(module, port, process, log, stopping);
            service.awaitHealthy(Duration.ofSeconds(120));
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client for this service. */
    public ApiClient api() {
        return ApiClient.localhost(port);
    }

    /** The file the service's stdout and stderr go to. */
    public Path logFile() {
        return log;
    }

    /** The HTTP port. */
    public int port() {
        return port;
    }

    /** The operating-system process, for tools that measure it. */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    private void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ApiClient api = api();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                if (api.get("/actuator/health", null).statusCode() == 200) {
                    return;
                }
            } catch (UncheckedIOException notListeningYet) {
                // keep waiting
            }
            sleep(250);
        }
        close();
        throw new IllegalStateException(name + " was not healthy within " + timeout + ":\n" + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Kills the JVM at once, as a crash would: no shutdown hooks, no offset commits, no goodbyes. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(stopping.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
