package dev.asof.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.support.storage.AsofTables;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import tools.jackson.databind.json.JsonMapper;

/** dynalite as the local stack and the tests run it: in memory, on a free port. */
class DynaliteProcessIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

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

    /** The benchmarks' request counts (docs/local-stack.md): only with ASOF_DYNALITE_REQUEST_COUNTS=1. */
    @Test
    void countsRequestsPerOperationOnlyWhenAskedTo() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        int port = Ports.freePort();
        ProcessBuilder counting = new ProcessBuilder(
                        "node",
                        "--require",
                        projectRoot().resolve(DynaliteProcess.PRELOAD).toString(),
                        projectRoot().resolve("node_modules/dynalite/cli.js").toString(),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("counting.log").toFile());
        counting.environment().put("ASOF_DYNALITE_REQUEST_COUNTS", "1");
        Process process = counting.start();
        try (DynamoDbClient dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .build()) {
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> dynamo.listTables().tableNames().isEmpty());
            String before = counts(http, URI.create("http://127.0.0.1:" + port));
            dynamo.listTables();
            dynamo.listTables(b -> b.limit(5));
            String after = counts(http, URI.create("http://127.0.0.1:" + port));

            assertThat(requests(before, "ListTables") + 2).isEqualTo(requests(after, "ListTables"));
            // the bodies asked ({} and {"Limit":5}) and answered ({"TableNames":[]}, twice), in bytes
            assertThat(field(after, "ListTables", "request_bytes") - field(before, "ListTables", "request_bytes"))
                    .isEqualTo(2 + 11);
            assertThat(field(after, "ListTables", "answer_bytes") - field(before, "ListTables", "answer_bytes"))
                    .isEqualTo(2 * "{\"TableNames\":[]}".length());
        } finally {
            process.destroy();
            process.waitFor();
        }
        // started as the stack starts it, without the variable: no counts, the path is dynalite's own
        try (DynaliteProcess plain =
                DynaliteProcess.start(projectRoot(), Ports.freePort(), null, workDir.resolve("dynalite.log"))) {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(plain.endpoint().resolve("/asof/request-counts"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.body()).doesNotContain("requests");
        }
    }

    private static String counts(HttpClient http, URI dynalite) throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(dynalite.resolve("/asof/request-counts")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        return answer.body();
    }

    private static long requests(String counts, String operation) {
        return field(counts, operation, "requests");
    }

    private static long field(String counts, String operation, String field) {
        return JSON.readTree(counts).path(operation).path(field).asLong();
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
