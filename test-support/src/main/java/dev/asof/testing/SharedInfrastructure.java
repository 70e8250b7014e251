package dev.asof.testing;

import dev.asof.stack.DynaliteProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * One real KRaft Kafka broker and one real dynalite per test JVM, started on first use and shared by every test
 * (each test uses its own customer ids). Stopped when the JVM exits.
 */
public final class SharedInfrastructure {

    private static EmbeddedKafkaKraftBroker kafka;
    private static DynaliteProcess dynalite;

    private SharedInfrastructure() {}

    /** The broker's bootstrap servers, starting it on first call. */
    public static synchronized String kafkaBootstrapServers() {
        if (kafka == null) {
            EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 6);
            broker.brokerProperty("group.initial.rebalance.delay.ms", "0");
            broker.brokerProperty("auto.create.topics.enable", "false");
            broker.brokerProperty("log.dirs", tempDir("asof-kafka").toString());
            broker.afterPropertiesSet();
            kafka = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "stop-embedded-kafka"));
        }
        return kafka.getBrokersAsString();
    }

    /** dynalite's endpoint, starting it (in memory, on a free port) on first call. */
    public static synchronized URI dynamoEndpoint() {
        if (dynalite == null) {
            try {
                Path log = tempDir("asof-dynalite").resolve("dynalite.log");
                dynalite = DynaliteProcess.start(projectRoot(), freePort(), null, log);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start dynalite", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting dynalite", e);
            }
            DynaliteProcess started = dynalite;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-dynalite"));
        }
        return dynalite.endpoint();
    }

    /** The shared dynalite's process, for tests that pause it ({@code kill -STOP}) to play a hung store. */
    public static synchronized ProcessHandle dynaliteProcess() {
        dynamoEndpoint();
        return dynalite.handle();
    }

    /** Sends {@code signal} (STOP, CONT) to {@code process}: the JDK can only terminate processes. */
    public static void signal(ProcessHandle process, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .inheritIO()
                    .start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A plain AWS SDK client for dynalite, for tests that look at the tables directly. */
    public static DynamoDbClient dynamoClient() {
        return DynamoDbClient.builder()
                .endpointOverride(dynamoEndpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }

    /** The repository root: where package.json and node_modules live. */
    public static Path projectRoot() {
        String configured = System.getProperty("asof.root");
        Path start = configured != null && !configured.isBlank()
                ? Paths.get(configured)
                : Paths.get("").toAbsolutePath();
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("package-lock.json")) && Files.exists(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the asof repository root above " + start);
    }

    /** A TCP port nothing listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
