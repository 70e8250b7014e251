package dev.asof.console.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimelineSlicesTest {

    private static final Instant LAST_READ = Instant.parse("2024-02-12T10:00:00Z");

    @Test
    void cutsTheRestIntoEqualRangesStartingWhereTheFirstPageEnded() {
        assertThat(TimelineSlices.starts(LAST_READ, LAST_READ.plusSeconds(400), 4))
                .containsExactly(
                        LAST_READ, LAST_READ.plusSeconds(100), LAST_READ.plusSeconds(200), LAST_READ.plusSeconds(300));
    }

    @Test
    void readsTheRestAsOneWalkWhenThereIsNothingToCut() {
        assertThat(TimelineSlices.starts(LAST_READ, LAST_READ, 4)).isEmpty();
        assertThat(TimelineSlices.starts(LAST_READ, LAST_READ.minusSeconds(1), 4))
                .isEmpty();
        assertThat(TimelineSlices.starts(LAST_READ, LAST_READ.plusMillis(3), 4)).isEmpty();
        assertThat(TimelineSlices.starts(LAST_READ, LAST_READ.plusSeconds(60), 1))
                .isEmpty();
    }

    @Test
    void rangesAscendWithAtLeastAMillisecondEachForSeededSpans() {
        Random random = new Random(20261201L);
        for (int run = 0; run < 1_000; run++) {
            int count = 2 + random.nextInt(15);
            long span = random.nextLong(1L, 400L * 365 * 24 * 3600 * 1000);
            List<Instant> starts = TimelineSlices.starts(LAST_READ, LAST_READ.plusMillis(span), count);
            if (span < count) {
                assertThat(starts).as("span %d, %d ranges", span, count).isEmpty();
                continue;
            }
            assertThat(starts).as("span %d, %d ranges", span, count).hasSize(count);
            assertThat(starts.get(0)).isEqualTo(LAST_READ);
            for (int i = 1; i < count; i++) {
                // each range [start i-1, start i - 1 ms] is a valid from..to of the history API (from <= to)
                assertThat(starts.get(i).minusMillis(1)).isAfterOrEqualTo(starts.get(i - 1));
            }
            assertThat(starts.get(count - 1)).isBefore(LAST_READ.plusMillis(span));
        }
    }
}
