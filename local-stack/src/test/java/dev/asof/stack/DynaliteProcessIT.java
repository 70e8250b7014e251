package dev.asof.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.storage.AsofTables;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** dynalite as the local stack and the tests run it: in memory, on a free port. */
class DynaliteProcessIT {

    @TempDir
    Path workDir;

    @Test
    void createsTheTablesIdempotentlyAndStops() throws Exception {
        DynaliteProcess dynalite;
        try (DynaliteProcess started =
                DynaliteProcess.start(projectRoot(), Ports.freePort(), null, workDir.resolve("dynalite.log"))) {
            dynalite = started;
            AsofTables tables = new AsofTables("it_");
            try (DynamoDbClient dynamo = client(started)) {
                tables.ensureAll(dynamo);
                tables.ensureAll(dynamo);

                assertThat(dynamo.listTables().tableNames())
                        .contains("it_event_log", "it_profile_view")
                        .containsExactlyInAnyOrderElementsOf(tables.definitions().stream()
                                .map(table -> table.tableName())
                                .toList());
                assertThat(dynamo.describeTable(b -> b.tableName("it_event_log"))
                                .table()
                                .localSecondaryIndexes())
                        .extracting(index -> index.indexName())
                        .contains(AsofTables.BY_RECORDED_INDEX);
            }
        }
        assertThat(dynalite.isAlive()).isFalse();
    }

    /** A client that drops a request half sent (a timed-out SDK attempt) cost the whole store once: no more. */
    @Test
    void aRequestDroppedHalfSentLeavesTheStoreUp() throws Exception {
        try (DynaliteProcess started =
                        DynaliteProcess.start(projectRoot(), Ports.freePort(), null, workDir.resolve("dynalite.log"));
                DynamoDbClient dynamo = client(started)) {
            for (int i = 0; i < 3; i++) {
                try (Socket socket = new Socket(
                        started.endpoint().getHost(), started.endpoint().getPort())) {
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
                                    + "X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 1000\r\n\r\n{\"Li")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(100);
                }
            }
            Thread.sleep(500);
            assertThat(started.isAlive()).isTrue();
            assertThat(dynamo.listTables().tableNames()).isNotNull();
        }
    }

    @Test
    void ignoresCtrlCWhichIsTheLaunchersToHandle() throws Exception {
        try (DynaliteProcess started =
                        DynaliteProcess.start(projectRoot(), Ports.freePort(), null, workDir.resolve("dynalite.log"));
                DynamoDbClient dynamo = client(started)) {
            // Node.js resets the SIGINT disposition the launcher's `trap '' INT` leaves it; the preload does not.
            Process interrupt = new ProcessBuilder(
                            "kill", "-INT", Long.toString(started.handle().pid()))
                    .start();
            assertThat(interrupt.waitFor()).isZero();

            assertThat(dynamo.listTables().tableNames()).isEmpty();
            assertThat(started.isAlive()).isTrue();
        }
    }

    private static Path projectRoot() {
        return Path.of(System.getProperty("asof.root", "..")).toAbsolutePath().normalize();
    }

    private static DynamoDbClient client(DynaliteProcess dynalite) {
        return DynamoDbClient.builder()
                .endpointOverride(dynalite.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .build();
    }
}
