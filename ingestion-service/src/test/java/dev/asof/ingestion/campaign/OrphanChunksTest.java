package dev.asof.ingestion.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.storage.Campaigns;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When an upload's chunks are taken for ones no campaign will publish. */
class OrphanChunksTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Duration AFTER = Duration.ofHours(1);

    @Test
    void onlyOldChunksOfAnAbsentLostOrFinishedCampaign() {
        Instant old = NOW.minus(Duration.ofMinutes(61));
        Instant recent = NOW.minus(Duration.ofMinutes(59));
        assertThat(OrphanChunks.orphan("u1", old, Optional.empty(), NOW, AFTER)).isTrue();
        assertThat(OrphanChunks.orphan("u1", recent, Optional.empty(), NOW, AFTER))
                .as("an upload may still be writing")
                .isFalse();
        assertThat(OrphanChunks.orphan("u1", old, Optional.of(campaign("u2", Campaigns.ACCEPTED)), NOW, AFTER))
                .as("another upload is the campaign")
                .isTrue();
        assertThat(OrphanChunks.orphan("u1", old, Optional.of(campaign("u1", Campaigns.ACCEPTED)), NOW, AFTER))
                .as("a campaign waiting hours for its turn keeps its chunks")
                .isFalse();
        assertThat(OrphanChunks.orphan("u1", old, Optional.of(campaign("u1", Campaigns.RUNNING)), NOW, AFTER))
                .isFalse();
        assertThat(OrphanChunks.orphan("u1", old, Optional.of(campaign("u1", Campaigns.COMPLETED)), NOW, AFTER))
                .isTrue();
        assertThat(OrphanChunks.orphan("u1", old, Optional.of(campaign("u1", Campaigns.FAILED)), NOW, AFTER))
                .isTrue();
        assertThat(OrphanChunks.orphan("u1", old, Optional.of(campaign("u1", Campaigns.CANCELLED)), NOW, AFTER))
                .isTrue();
    }

    private static Campaigns.Campaign campaign(String uploadId, String state) {
        return new Campaigns.Campaign(
                "c1", "n", "owner", uploadId, "f", NOW, state, 1, 1, 0, 0, 0, 0, 1, 0, List.of(), NOW, null, null, null,
                null, null, 0);
    }
}
