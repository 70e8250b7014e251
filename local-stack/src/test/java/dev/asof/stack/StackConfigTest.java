package dev.asof.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackConfigTest {

    @TempDir
    Path checkout;

    @Test
    void defaultsPutEverythingUnderTheCheckoutFoundFromTheLauncherJar() throws Exception {
        Files.createFile(checkout.resolve("pom.xml"));
        Path jar =
                Files.createDirectories(checkout.resolve("local-stack/target")).resolve("asof-local-stack.jar");

        StackConfig config = StackConfig.parse(List.of("up"), Map.of(), Optional.of(jar), Path.of("/elsewhere"));

        assertThat(config.command()).isEqualTo(StackConfig.Command.UP);
        assertThat(config.root()).isEqualTo(checkout.toAbsolutePath());
        assertThat(config.home()).isEqualTo(checkout.toAbsolutePath().resolve(".asof"));
        assertThat(config.ports())
                .containsExactly(
                        Map.entry("kafka", 9092),
                        Map.entry("kafka controller", 9093),
                        Map.entry("dynalite", 8000),
                        Map.entry("ingestion-service", 8081),
                        Map.entry("reconstruction-service", 8082),
                        Map.entry("merge-service", 8083),
                        Map.entry("console", 8084));
        assertThat(config.partitions()).isEqualTo(6);
        assertThat(config.tablePrefix()).isEqualTo("asof_");
        assertThat(config.restartLimit()).isEqualTo(5);
        assertThat(config.detach()).isFalse();
        assertThat(config.services().get(0).jar())
                .isEqualTo(checkout.toAbsolutePath().resolve("ingestion-service/target/ingestion-service.jar"));
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverDefaults() {
        Map<String, String> env = Map.of(
                "ASOF_KAFKA_PORT", "19092",
                "ASOF_DYNAMODB_PORT", "18000",
                "ASOF_HOME", "/tmp/asof-env-home",
                "ASOF_RESTART_LIMIT", "2",
                "ASOF_SERVICE_JAVA_OPTS", " -Xmx512m  -Dx=y ");

        StackConfig config = StackConfig.parse(
                List.of("--kafka-port=29092", "up", "--detach", "--timeout", "30", "--infra-only"),
                env,
                Optional.empty(),
                checkout);

        assertThat(config.kafkaPort()).isEqualTo(29092);
        assertThat(config.dynamoPort()).isEqualTo(18000);
        assertThat(config.ingestionPort()).isEqualTo(8081);
        assertThat(config.home()).isEqualTo(Path.of("/tmp/asof-env-home"));
        assertThat(config.root()).isEqualTo(checkout.toAbsolutePath());
        assertThat(config.startTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.restartLimit()).isEqualTo(2);
        assertThat(config.detach()).isTrue();
        assertThat(config.infraOnly()).isTrue();
        assertThat(config.ports()).doesNotContainKey("ingestion-service");
        assertThat(config.serviceJavaOptions()).containsExactly("-Xmx512m", "-Dx=y");
    }

    @Test
    void theBackgroundLauncherGetsTheSameConfiguration() {
        StackConfig config = StackConfig.parse(
                List.of(
                        "up",
                        "--merge-port",
                        "9999",
                        "--console-port",
                        "9998",
                        "--table-prefix",
                        "dev_",
                        "--restart-limit",
                        "0",
                        "--infra-only"),
                Map.of(),
                Optional.empty(),
                checkout);

        List<String> again = new java.util.ArrayList<>(List.of("up", "--supervisor"));
        again.addAll(config.toArguments());
        StackConfig copy = StackConfig.parse(again, Map.of("ASOF_MERGE_PORT", "1"), Optional.empty(), Path.of("/x"));

        assertThat(copy)
                .isEqualTo(new StackConfig(
                        config.command(),
                        config.root(),
                        config.home(),
                        config.kafkaPort(),
                        config.kafkaControllerPort(),
                        config.dynamoPort(),
                        config.ingestionPort(),
                        config.reconstructionPort(),
                        config.mergePort(),
                        config.consolePort(),
                        config.partitions(),
                        config.tablePrefix(),
                        config.startTimeout(),
                        0,
                        config.infraOnly(),
                        false,
                        true,
                        config.serviceJavaOptions(),
                        null,
                        null,
                        null));
    }

    @Test
    void rejectsWhatItCannotUse() {
        assertThatThrownBy(() -> parse("up", "--kafka-port", "http"))
                .hasMessage("--kafka-port must be a number, not http");
        assertThatThrownBy(() -> parse("up", "--kafka-port", "70000"))
                .hasMessage("--kafka-port must be between 1 and 65535, not 70000");
        assertThatThrownBy(() -> parse("up", "--dynamodb-port", "8081"))
                .hasMessage("dynalite and ingestion-service cannot both use port 8081");
        assertThatThrownBy(() -> parse("up", "--colour")).hasMessage("unknown option --colour");
        assertThatThrownBy(() -> parse("sideways")).hasMessage("unknown command sideways");
        assertThatThrownBy(() -> parse("down", "--detach")).hasMessage("--detach only applies to `up`");
        assertThatThrownBy(() -> parse("up", "--home")).hasMessage("--home needs a value");
        assertThatThrownBy(() -> parse("up", "--restart-limit", "-1"))
                .hasMessage("--restart-limit must be between 0 and 100, not -1");
        assertThatThrownBy(() -> parse()).hasMessage("no command given");
    }

    @Test
    void aCampaignIsUploadedFromAFileOrCancelledByItsId() {
        String id = "4b0f2a6e-1c7d-4e55-9a3b-0f2d6c1e8a90";
        StackConfig upload = parse("campaign", "sale.csv", "--name", "spring sale");
        assertThat(upload.campaignFile()).isEqualTo(checkout.resolve("sale.csv"));
        assertThat(upload.campaignName()).isEqualTo("spring sale");
        assertThat(upload.campaignCancel()).isNull();
        StackConfig cancel = parse("campaign", "--cancel", id);
        assertThat(cancel.campaignCancel()).isEqualTo(id);
        assertThat(cancel.campaignFile()).isNull();
        assertThat(parse("campaign", "--cancel=" + id).campaignCancel()).isEqualTo(id);

        assertThatThrownBy(() -> parse("campaign")).hasMessageStartingWith("campaign needs a FILE");
        assertThatThrownBy(() -> parse("campaign", "--cancel")).hasMessage("--cancel needs a campaign id");
        assertThat(parse("campaign", "--cancel", " " + id + " ").campaignCancel())
                .isEqualTo(id);
        assertThatThrownBy(() -> parse("campaign", "--cancel", "sale.csv"))
                .hasMessageStartingWith("--cancel needs the campaign id the upload printed");
        assertThatThrownBy(() -> parse("campaign", "--cancel", "0".repeat(36)))
                .hasMessageStartingWith("--cancel needs the campaign id the upload printed");
        assertThatThrownBy(() -> parse("campaign", "--cancel=")).hasMessageEndingWith("not ''");
        assertThatThrownBy(() -> parse("campaign", "--cancel", "--name", "n"))
                .hasMessage("--cancel needs a campaign id");
        assertThatThrownBy(() -> parse("campaign", "--cancel", id, "--cancel", id))
                .hasMessage("--cancel is given twice");
        assertThatThrownBy(() -> parse("campaign", "sale.csv", "--cancel", id))
                .hasMessage("campaign --cancel takes a campaign id only, no FILE or --name");
        assertThatThrownBy(() -> parse("campaign", "--cancel", id, "--name", "n"))
                .hasMessage("campaign --cancel takes a campaign id only, no FILE or --name");
        assertThatThrownBy(() -> parse("status", "--cancel", id)).hasMessage("--cancel only applies to `campaign`");
    }

    private StackConfig parse(String... args) {
        return StackConfig.parse(List.of(args), Map.of(), Optional.empty(), checkout);
    }
}
