package dev.asof.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One of the Spring Boot services, run from its executable jar as a child JVM. */
final class ServiceProcess implements SupervisedProcess {

    /**
     * Small heaps and a quick start: four of these share a laptop with Kafka and an IDE. The parallel collector, not
     * the serial one: a timeline read from the store keeps its log in memory (reconstruction-service), and the serial
     * collector's pauses copying it, with a full collection every few such reads, stopped the whole service for
     * 0.2-0.26 s of a 1.0-1.2 s first view (docs/console.md, Speed).
     */
    static final List<String> JVM_OPTIONS = List.of(
            "-Xms32m", "-Xmx256m", "-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError");

    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(1))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final String name;
    private final int port;
    private final Process process;
    private final Path logFile;

    private ServiceProcess(String name, int port, Process process, Path logFile) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.logFile = logFile;
    }

    /**
     * Starts {@code java <options> -jar jar <args>} with {@code environment} added to its environment; returns at
     * once, see {@link #isHealthy()}.
     */
    static ServiceProcess start(
            String name,
            Path jar,
            int port,
            List<String> jvmOptions,
            List<String> args,
            java.util.Map<String, String> environment,
            Path workDir,
            Path logFile)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ChildProcesses.javaExecutable().toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        return new ServiceProcess(name, port, ChildProcesses.start(command, environment, workDir, logFile), logFile);
    }

    /** Whether {@code GET /actuator/health} answers {@code UP}. */
    boolean isHealthy() {
        return isHealthy(healthUri());
    }

    @Override
    public boolean isReady() {
        return isHealthy();
    }

    /** Whether the health endpoint at {@code uri} answers {@code UP}. */
    static boolean isHealthy(URI uri) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(2))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200
                    && response.body().replace(" ", "").contains("\"status\":\"UP\"");
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    URI healthUri() {
        return URI.create("http://127.0.0.1:" + port + "/actuator/health");
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    Path logFile() {
        return logFile;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public int exitValue() {
        return process.onExit().join().exitValue();
    }

    @Override
    public ProcessHandle handle() {
        return process.toHandle();
    }

    @Override
    public void close() {
        ChildProcesses.stop(process.toHandle(), STOP_GRACE);
    }
}
