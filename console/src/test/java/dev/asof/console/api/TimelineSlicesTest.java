package dev.asof.console.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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

    @Test
    void cutsAsManyRangesAsKeepEachToAboutOnePageAtTheFirstPagesPace() {
        // a first page of 200 changes over 200 days: about one change a day left
        assertThat(rangesForDaysLeft(10_000, 16))
                .as("about 10,000 changes: 13 ranges of 800")
                .isEqualTo(13);
        assertThat(rangesForDaysLeft(100_000, 16))
                .as("far more than 16 ranges' worth")
                .isEqualTo(16);
        assertThat(rangesForDaysLeft(10_000, 8)).isEqualTo(8);
        assertThat(rangesForDaysLeft(300, 16))
                .as("a few hundred changes: still 2")
                .isEqualTo(2);
        assertThat(rangesForDaysLeft(1_600, 16)).isEqualTo(2);
        assertThat(rangesForDaysLeft(1_601, 16)).isEqualTo(3);
        assertThat(rangesForDaysLeft(10_000, 1)).as("slicing off").isEqualTo(1);
        // the first page took no time (every change at one instant): as many as allowed
        assertThat(TimelineSlices.count(200, LAST_READ, LAST_READ, LAST_READ.plusSeconds(1), 16))
                .isEqualTo(16);
    }

    private static int rangesForDaysLeft(long days, int max) {
        Instant firstRead = LAST_READ.minus(Duration.ofDays(200));
        return TimelineSlices.count(200, firstRead, LAST_READ, LAST_READ.plus(Duration.ofDays(days)), max);
    }

    @Test
    void theCountStaysWithinTwoAndTheMostAllowedForSeededPaces() {
        Random random = new Random(20261203L);
        for (int run = 0; run < 1_000; run++) {
            int max = 2 + random.nextInt(15);
            int changes = 1 + random.nextInt(200);
            long paced = random.nextLong(0L, 400L * 24 * 3600 * 1000);
            long rest = random.nextLong(-1000L, 40_000L * 24 * 3600 * 1000);
            Instant firstRead = LAST_READ.minusMillis(paced);
            int count = TimelineSlices.count(changes, firstRead, LAST_READ, LAST_READ.plusMillis(rest), max);
            assertThat(count)
                    .as("%d changes in %d ms, %d ms left, at most %d", changes, paced, rest, max)
                    .isBetween(2, max);
            if (paced > 0) {
                double expected = (double) changes * Math.max(0, rest) / paced;
                // enough ranges for about 800 changes each, unless capped
                assertThat(count >= max || expected / count <= TimelineSlices.RANGE_CHANGES)
                        .as("%d ranges for about %.0f changes, at most %d", count, expected, max)
                        .isTrue();
                // and no more: one range fewer would hold more than that
                assertThat(count == 2 || expected / (count - 1) > TimelineSlices.RANGE_CHANGES)
                        .as("%d ranges for about %.0f changes", count, expected)
                        .isTrue();
            }
        }
    }
}
