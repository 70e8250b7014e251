package dev.asof.support.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LateTiersTest {

    @Test
    void tiersGrowByFourFromOneSecond() {
        assertThat(LateTiers.tier(0)).isZero();
        assertThat(LateTiers.tier(999)).isZero();
        assertThat(LateTiers.tier(1_000)).isEqualTo(1);
        assertThat(LateTiers.tier(3_999)).isEqualTo(1);
        assertThat(LateTiers.tier(4_000)).isEqualTo(2);
        assertThat(LateTiers.tier(86_400_000)).isEqualTo(9); // a day: under 4^9 s (3.03 days)
        assertThat(LateTiers.tier(Long.MAX_VALUE)).isEqualTo(LateTiers.LAST);
        assertThat(LateTiers.bound(LateTiers.LAST - 1)).isEqualTo(1000L << 32); // about 136 years
        assertThatThrownBy(() -> LateTiers.tier(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keysCarryTheirTierAndSortByValidTimeWithinIt() {
        String early = LateTiers.key(3, Instant.ofEpochMilli(5_000), "b");
        String later = LateTiers.key(3, Instant.ofEpochMilli(60_000), "a");
        assertThat(LateTiers.tierOf(early)).isEqualTo(3);
        assertThat(early).isLessThan(later);
        assertThat(LateTiers.key(2, Instant.ofEpochMilli(60_000), "a")).isLessThan(early);
    }

    /**
     * The property reads depend on: a late event stamped at {@code ts} that arrived with the head at {@code a} is in
     * the window of its tier for every snapshot valid time {@code ts <= Ts <= a}.
     */
    @Test
    void everyLateEventIsInItsTiersWindowForEverySnapshotItsIntervalContains() {
        long seed = 20261126L;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 200_000; i++) {
            long ts = random.nextLong(0, 4_000_000_000_000L);
            long lateness =
                    random.nextInt(4) == 0 ? random.nextLong(0, 2_000) : (long) Math.pow(10, random.nextDouble(13));
            long head = ts + lateness;
            long snapshotAt = random.nextLong(ts, head + 1);
            int tier = LateTiers.tier(head - ts);
            String key = LateTiers.key(tier, Instant.ofEpochMilli(ts), "e" + i);
            String[] window = LateTiers.window(tier, Instant.ofEpochMilli(snapshotAt));
            assertThat(key)
                    .as("seed %d, ts %d, head %d, snapshot at %d", seed, ts, head, snapshotAt)
                    .isGreaterThanOrEqualTo(window[0])
                    .isLessThanOrEqualTo(window[1]);
        }
    }

    @Test
    void aWindowEndsAtItsValidTimeAndNeverStartsBeforeTheLog() {
        Instant at = Instant.ofEpochMilli(100_000);
        String[] window = LateTiers.window(2, at); // tier 2: lateness under 16 s
        assertThat(LateTiers.key(2, Instant.ofEpochMilli(100_000), "z")).isLessThanOrEqualTo(window[1]);
        assertThat(LateTiers.key(2, Instant.ofEpochMilli(100_001), "a")).isGreaterThan(window[1]);
        assertThat(LateTiers.key(2, Instant.ofEpochMilli(84_000), "a")).isGreaterThanOrEqualTo(window[0]);
        assertThat(LateTiers.key(2, Instant.ofEpochMilli(83_999), "z")).isLessThan(window[0]);
        assertThat(LateTiers.window(LateTiers.LAST, at)[0]).isEqualTo(LateTiers.key(LateTiers.LAST, Instant.EPOCH, ""));
        assertThat(LateTiers.window(9, at)[0]).isEqualTo(LateTiers.key(9, Instant.EPOCH, ""));
    }
}
