package dev.asof.stack;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker (broker and controller in one JVM) run as its own process from the jars the
 * build copies into {@code local-stack/target/kafka-libs}. The first start formats the storage in standalone mode;
 * later starts on the same directory reuse its data and cluster id.
 *
 * <p>The working directory holds {@code server.properties} and {@code log4j2.properties} (rewritten on every start,
 * so ports may change) and {@code data/}, the log directory. The broker's output goes to the given log file.
 */
public final class KafkaBrokerProcess implements AutoCloseable, SupervisedProcess {

    /** Heap and start-up settings for a developer machine; a broker at rest needs far less than 512 MB. */
    static final List<String> JVM_OPTIONS = List.of(
            "-Xms64m",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true");

    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final String KAFKA_MAIN = "kafka.Kafka";
    private static final String STORAGE_TOOL_MAIN = "kafka.tools.StorageTool";

    private final Process process;
    private final int port;
    private final Path dataDir;

    private KafkaBrokerProcess(Process process, int port, Path dataDir) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
    }

    /**
     * Starts a broker listening on {@code 127.0.0.1:port} with its controller on {@code controllerPort}, keeping
     * everything under {@code workDir}; returns once it answers an admin client.
     *
     * @param kafkaLibs the directory of Kafka's runtime jars
     */
    public static KafkaBrokerProcess start(Path kafkaLibs, Path workDir, int port, int controllerPort, Path logFile)
            throws IOException, InterruptedException {
        requireKafkaJars(kafkaLibs);
        Path home = workDir.toAbsolutePath();
        Path dataDir = home.resolve("data");
        Files.createDirectories(dataDir);
        Path serverProperties = home.resolve("server.properties");
        Path log4jProperties = home.resolve("log4j2.properties");
        writeServerProperties(serverProperties, dataDir, port, controllerPort);
        writeLog4jProperties(log4jProperties);

        if (!Files.exists(dataDir.resolve("meta.properties"))) {
            format(kafkaLibs, home, serverProperties, log4jProperties, logFile);
        }
        Process process = ChildProcesses.start(
                javaCommand(kafkaLibs, log4jProperties, KAFKA_MAIN, serverProperties.toString()), home, logFile);
        KafkaBrokerProcess broker = new KafkaBrokerProcess(process, port, dataDir);
        try {
            broker.awaitReady(logFile);
        } catch (IOException | InterruptedException | RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** The jars directory the build fills: {@code local-stack/target/kafka-libs} under the project root. */
    public static Path defaultKafkaLibs(Path projectRoot) {
        return projectRoot.resolve("local-stack").resolve("target").resolve("kafka-libs");
    }

    /** Where clients connect. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The port clients connect to. */
    public int port() {
        return port;
    }

    /** The cluster id written when the storage was formatted; the same across restarts on the same data. */
    public String clusterId() throws IOException {
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(dataDir.resolve("meta.properties"))) {
            meta.load(in);
        }
        return meta.getProperty("cluster.id");
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

    /** Whether it accepts client connections; {@link #start} already waited for the controller as well. */
    @Override
    public boolean isReady() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Stops the broker, giving it time for a controlled shutdown so the next start needs no log recovery. */
    @Override
    public void close() {
        ChildProcesses.stop(process.toHandle(), STOP_GRACE);
    }

    private static void requireKafkaJars(Path kafkaLibs) throws IOException {
        boolean present;
        try (Stream<Path> jars = Files.isDirectory(kafkaLibs) ? Files.list(kafkaLibs) : Stream.empty()) {
            present = jars.anyMatch(jar -> jar.getFileName().toString().startsWith("kafka_2.13-"));
        }
        if (!present) {
            throw new IOException("Kafka's jars are missing from " + kafkaLibs
                    + "; build them with `./mvnw -DskipTests -pl local-stack -am package`");
        }
    }

    private static void format(Path kafkaLibs, Path home, Path serverProperties, Path log4jProperties, Path logFile)
            throws IOException, InterruptedException {
        List<String> command = javaCommand(
                kafkaLibs,
                log4jProperties,
                STORAGE_TOOL_MAIN,
                "format",
                "--config",
                serverProperties.toString(),
                "--cluster-id",
                Uuid.randomUuid().toString(),
                "--standalone");
        Process format = ChildProcesses.start(command, home, logFile);
        if (!format.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            format.destroyForcibly();
            throw new IOException("formatting Kafka's storage took longer than " + FORMAT_TIMEOUT + "; see " + logFile);
        }
        if (format.exitValue() != 0) {
            throw new IOException("formatting Kafka's storage failed with exit code " + format.exitValue() + "; see "
                    + logFile + System.lineSeparator() + ChildProcesses.tail(logFile, 20));
        }
    }

    private static List<String> javaCommand(Path kafkaLibs, Path log4jProperties, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ChildProcesses.javaExecutable().toString());
        command.addAll(JVM_OPTIONS);
        command.add("-Dlog4j2.configurationFile=" + log4jProperties);
        command.add("-cp");
        // The JVM expands a trailing '*' to every jar in the directory; no shell is involved.
        command.add(kafkaLibs.toAbsolutePath() + "/*");
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    private static void writeServerProperties(Path file, Path dataDir, int port, int controllerPort)
            throws IOException {
        String properties =
                """
                # Written by the asof local stack on every start; edits are overwritten.
                process.roles=broker,controller
                node.id=1
                controller.quorum.bootstrap.servers=127.0.0.1:%2$d
                listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
                advertised.listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                log.dirs=%3$s

                # Topics are created on purpose (AsofTopics), never by a typo in a client.
                auto.create.topics.enable=false
                num.partitions=1
                default.replication.factor=1
                min.insync.replicas=1

                # One node: internal topics cannot be replicated, and need few partitions.
                offsets.topic.replication.factor=1
                offsets.topic.num.partitions=1
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                transaction.state.log.num.partitions=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1

                # Fast restarts and a small footprint on a laptop.
                group.initial.rebalance.delay.ms=0
                num.network.threads=2
                num.io.threads=4
                num.recovery.threads.per.data.dir=1
                log.cleaner.dedupe.buffer.size=16777216
                """.formatted(port, controllerPort, dataDir.toString().replace('\\', '/'));
        Files.writeString(file, properties);
    }

    private static void writeLog4jProperties(Path file) throws IOException {
        // To stdout, which the launcher appends to the log file; keeps JVM crash output in the same place.
        String properties = """
                # Written by the asof local stack on every start; edits are overwritten.
                appender.console.type=Console
                appender.console.name=STDOUT
                appender.console.layout.type=PatternLayout
                appender.console.layout.pattern=[%d] %p %m (%c)%n
                rootLogger.level=INFO
                rootLogger.appenderRef.stdout.ref=STDOUT
                logger.request.name=kafka.request.logger
                logger.request.level=WARN
                logger.changes.name=state.change.logger
                logger.changes.level=WARN
                # Every component prints its whole configuration at INFO: hundreds of lines per start.
                logger.config.name=org.apache.kafka.common.config.AbstractConfig
                logger.config.level=WARN
                """;
        Files.writeString(file, properties);
    }

    private void awaitReady(Path logFile) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        awaitListening(deadline, logFile);
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000))) {
            while (System.nanoTime() < deadline) {
                requireAlive(logFile);
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(3_000))
                            .nodes()
                            .get(4, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException notYet) {
                    // The broker listens before it has registered with its controller; ask again.
                }
                Thread.sleep(100);
            }
        }
        throw new IOException("Kafka did not become ready on port " + port + " within " + START_TIMEOUT + "; see "
                + logFile + System.lineSeparator() + ChildProcesses.tail(logFile, 20));
    }

    private void awaitListening(long deadline, Path logFile) throws IOException, InterruptedException {
        while (System.nanoTime() < deadline) {
            requireAlive(logFile);
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
    }

    private void requireAlive(Path logFile) throws IOException {
        if (!process.isAlive()) {
            throw new IOException("Kafka exited with code " + process.exitValue() + "; see " + logFile
                    + System.lineSeparator() + ChildProcesses.tail(logFile, 20));
        }
    }
}
