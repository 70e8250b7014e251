package dev.asof.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The campaign command's arguments and its progress line. */
class CampaignCommandTest {

    private final Path checkout = Path.of("/tmp/asof-checkout");

    @Test
    void takesAFileAndAName() {
        StackConfig config = StackConfig.parse(
                List.of("campaign", "data/spring.csv", "--name", "spring sale", "--ingestion-port", "18081"),
                Map.of(),
                Optional.empty(),
                checkout);

        assertThat(config.command()).isEqualTo(StackConfig.Command.CAMPAIGN);
        assertThat(config.campaignFile()).isEqualTo(checkout.resolve("data/spring.csv"));
        assertThat(config.campaignName()).isEqualTo("spring sale");
        assertThat(config.ingestionPort()).isEqualTo(18081);
    }

    @Test
    void refusesWhatItCannotUse() {
        assertThatThrownBy(() -> StackConfig.parse(List.of("campaign"), Map.of(), Optional.empty(), checkout))
                .hasMessageContaining("campaign needs a FILE");
        assertThatThrownBy(() -> StackConfig.parse(List.of("up", "--name", "x"), Map.of(), Optional.empty(), checkout))
                .hasMessageContaining("--name only applies to `campaign`");
        assertThatThrownBy(() ->
                        StackConfig.parse(List.of("campaign", "a.csv", "b.csv"), Map.of(), Optional.empty(), checkout))
                .hasMessageContaining("unexpected argument b.csv");
    }

    @Test
    void theProgressLineShowsTheBarTheRateTheEtaAndTheRejected() {
        assertThat(CampaignCommand.progressLine(41_200, 100_000, 612.4, 3))
                .isEqualTo("[############..................] 41,200/100,000 logged  612/s  ETA 1m36s  rejected 3");
        assertThat(CampaignCommand.progressLine(0, 100, 0, 0)).contains("ETA --");
        assertThat(CampaignCommand.progressLine(100, 100, 50, 0)).startsWith("[" + "#".repeat(30) + "]");
        assertThat(CampaignCommand.duration(7_325)).isEqualTo("2h02m");
        assertThat(CampaignCommand.duration(42)).isEqualTo("42s");
    }
}
