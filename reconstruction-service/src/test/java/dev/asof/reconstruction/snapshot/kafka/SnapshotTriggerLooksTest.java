package dev.asof.reconstruction.snapshot.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the snapshot trigger looks again at a due set aside for the log writer. */
class SnapshotTriggerLooksTest {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void looksBackOffToTwoSecondsAndLookAtTheRoundsEnd() {
        // a round of 10 s (wait-for-log's default) begun at 0, first looked at after 0.5 s as a due set aside is
        long start = Long.MAX_VALUE - 5 * SECOND; // nanoTime may be anywhere, and wrap
        long roundEnds = start + 10 * SECOND;
        List<Long> looks = new ArrayList<>();
        long look = start + SECOND / 2;
        int checks = 0;
        while (roundEnds - look > 0) {
            looks.add(look - start);
            checks++;
            look = SnapshotTrigger.nextLook(look, checks, roundEnds);
        }
        looks.add(look - start);

        assertThat(looks)
                .containsExactly(
                        SECOND / 2,
                        SECOND / 2 + SECOND,
                        SECOND / 2 + 3 * SECOND,
                        SECOND / 2 + 5 * SECOND,
                        SECOND / 2 + 7 * SECOND,
                        SECOND / 2 + 9 * SECOND,
                        10 * SECOND);
    }

    @Test
    void aRoundShorterThanTheBackOffEndsAtItsEnd() {
        long roundEnds = 1_500_000_000L;
        assertThat(SnapshotTrigger.nextLook(1_000_000_000L, 3, roundEnds)).isEqualTo(roundEnds);
        assertThat(SnapshotTrigger.nextLook(0, 1, roundEnds)).isEqualTo(SECOND);
    }
}
