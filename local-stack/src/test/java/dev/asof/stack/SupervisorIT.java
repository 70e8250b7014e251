package dev.asof.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** dynalite under the supervisor, as {@code ./asof up} runs it: on disk, killed with SIGKILL, then stopped. */
class SupervisorIT {

    @TempDir
    Path workDir;

    @Test
    void restartsDynaliteAfterAKillButNotAfterAStop() throws Exception {
        int port = Ports.freePort();
        Path log = workDir.resolve("dynalite.log");
        Supervisor.Launch launch = restart -> {
            try {
                return DynaliteProcess.start(projectRoot(), port, workDir.resolve("data"), log);
            } catch (IOException e) {
                throw new StackException("dynalite did not start: " + e.getMessage(), e);
            }
        };
        List<String> reports = new CopyOnWriteArrayList<>();
        Supervisor supervisor = new Supervisor(
                RestartPolicy.DEFAULTS, Clock.systemUTC(), (child, message) -> reports.add(child + ": " + message));
        SupervisedProcess first = launch.start(0);
        supervisor.add("dynalite", log, first, launch);
        ExecutorService watching = Executors.newSingleThreadExecutor();
        Future<Optional<Supervisor.GaveUp>> watch = watching.submit(supervisor::watch);
        try (DynamoDbClient dynamo = client(port)) {
            dynamo.createTable(b -> b.tableName("kept")
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder()
                            .attributeName("id")
                            .attributeType(ScalarAttributeType.S)
                            .build())
                    .keySchema(KeySchemaElement.builder()
                            .attributeName("id")
                            .keyType(KeyType.HASH)
                            .build()));

            first.handle().destroyForcibly();

            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                assertThat(supervisor.restarts("dynalite")).isEqualTo(1);
                assertThat(dynamo.listTables().tableNames())
                        .as("answers again, with its data")
                        .containsExactly("kept");
            });
            SupervisedProcess second = supervisor.current("dynalite").orElseThrow();
            assertThat(second.handle().pid()).isNotEqualTo(first.handle().pid());
            assertThat(reports)
                    .first()
                    .asString()
                    .startsWith("dynalite: exited unexpectedly with code 137 (killed by SIGKILL) after ")
                    .contains("restarting in 1.0 s (attempt 1 of 5, log " + log + ")");

            // The launcher's stop: the supervisor first, then SIGTERM to what runs.
            supervisor.stop().values().forEach(SupervisedProcess::close);

            assertThat(watch.get(30, TimeUnit.SECONDS))
                    .as("a stop is no failure")
                    .isEmpty();
            assertThat(second.handle().isAlive()).isFalse();
            assertThat(supervisor.restarts("dynalite")).isEqualTo(1);
            assertThat(Ports.isFree(port)).as("nothing started it again").isTrue();
            assertThat(reports).noneMatch(report -> report.contains("restart 2"));
        } finally {
            supervisor.stop().values().forEach(SupervisedProcess::close);
            watching.shutdownNow();
        }
    }

    private static DynamoDbClient client(int port) {
        return DynamoDbClient.builder()
                .endpointOverride(java.net.URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .build();
    }

    private static Path projectRoot() {
        return Path.of(System.getProperty("asof.root", "..")).toAbsolutePath().normalize();
    }
}
