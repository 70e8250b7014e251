package dev.asof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.EventJson;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.ServiceJar;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code ./asof campaign} as people run it: the launcher jar in a process of its own against a running
 * ingestion-service (its own tables, a runner publishing 20 events a second): a file uploaded and followed until it
 * completes, and a running campaign cancelled by its id and followed until it has stopped.
 */
class CampaignCliIT {

    private static ServiceJar ingestion;

    @TempDir
    Path files;

    @BeforeAll
    static void start() {
        Map<String, String> properties = new HashMap<>(AsofTestProperties.all());
        properties.put(
                "asof.dynamodb.table-prefix",
                "cli_" + UUID.randomUUID().toString().substring(0, 8) + "_");
        properties.put("asof.campaigns.rate", "20");
        properties.put("asof.campaigns.min-rate", "20");
        properties.put("asof.campaigns.batch-size", "10");
        properties.put("asof.campaigns.poll-interval", "200ms");
        ingestion = ServiceJar.start("ingestion-service", properties);
    }

    @AfterAll
    static void stop() {
        if (ingestion != null) {
            ingestion.close();
        }
    }

    @Test
    void aFileIsUploadedAndFollowedUntilItCompletes() throws Exception {
        Path file = files.resolve("five.csv");
        StringBuilder csv = new StringBuilder("customer_id,tier\n");
        for (int i = 0; i < 5; i++) {
            csv.append("cli_").append(UUID.randomUUID().toString(), 0, 12).append(",gold\n");
        }
        csv.append("not a customer,gold\n");
        Files.writeString(file, csv, StandardCharsets.UTF_8);

        Run run = asof("campaign", file.toString(), "--name", "cli upload");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("as campaign \"cli upload\"", "6 lines, 5 to apply, 1 rejected")
                .contains("completed: 6 lines, 5 to apply (5 logged, 0 failed), 1 rejected")
                .contains("line 7: pattern");
    }

    @Test
    void aRunningCampaignIsCancelledByItsIdAndFollowedUntilItHasStopped() throws Exception {
        StringBuilder csv = new StringBuilder("customer_id,tier\n");
        // 30 s of publishing at 20 a second: time for the launcher's JVM to start and ask
        for (int i = 0; i < 600; i++) {
            csv.append("cli_").append(UUID.randomUUID().toString(), 0, 12).append(",silver\n");
        }
        HttpResponse<String> uploaded = ingestion
                .api()
                .post("/api/v1/campaigns?name=cli-cancel", TestApiKeys.ALL_SCOPES, "text/csv", csv.toString());
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(202);
        String id = EventJson.parse(uploaded.body()).get("campaign_id").asString();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> campaign(id).get("events_logged").asLong() > 0);

        Run run = asof("campaign", "--cancel", id.toUpperCase(java.util.Locale.ROOT));

        assertThat(run.exit()).as(run.output()).isZero();
        JsonNode cancelled = campaign(id);
        assertThat(cancelled.get("state").asString()).isEqualTo("cancelled");
        long never = cancelled.get("lines_cancelled").asLong();
        assertThat(never).isPositive();
        assertThat(run.output())
                .contains("Cancelling campaign " + id)
                .contains("cancelled: 600 lines")
                .contains(String.format(java.util.Locale.ROOT, "%,d were never published", never));

        Run again = asof("campaign", "--cancel", id);
        assertThat(again.exit()).as("already cancelled: " + again.output()).isZero();
        Run unknown = asof("campaign", "--cancel", UUID.randomUUID().toString());
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.output()).contains("the cancellation was refused: 404");
    }

    private static JsonNode campaign(String id) {
        HttpResponse<String> response = ingestion.api().get("/api/v1/campaigns/" + id, TestApiKeys.ALL_SCOPES);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return EventJson.parse(response.body());
    }

    private record Run(int exit, String output) {}

    /** The launcher jar with {@code args}, the ingestion port and the test's API key; its output and exit code. */
    private Run asof(String... args) throws IOException, InterruptedException {
        Path jar = SharedInfrastructure.projectRoot().resolve("local-stack/target/asof-local-stack.jar");
        assertThat(jar).as("built before this module by ./mvnw verify").exists();
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--ingestion-port", Integer.toString(ingestion.port()), "--home", files.toString()));
        Path output = files.resolve("asof-" + UUID.randomUUID() + ".out");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        // hermetic: none of the ASOF_* settings of whoever runs the build
        builder.environment().keySet().removeIf(name -> name.startsWith("ASOF_"));
        builder.environment().put("ASOF_API_KEY", TestApiKeys.ALL_SCOPES);
        Process process = builder.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("./asof " + String.join(" ", args) + " did not end: " + Files.readString(output));
        }
        return new Run(process.exitValue(), Files.readString(output));
    }
}
