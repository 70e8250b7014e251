package dev.asof.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HlcTest {

    private static final Instant T = Instant.parse("2023-10-27T14:30:00.123Z");

    @Test
    void encodesWallClockAndCounter() {
        long hlc = Hlc.encode(T.toEpochMilli(), 7);
        assertThat(Hlc.physicalMillis(hlc)).isEqualTo(T.toEpochMilli());
        assertThat(Hlc.toInstant(hlc)).isEqualTo(T);
        assertThat(hlc & 0xFFFF).isEqualTo(7);
    }

    @Test
    void ordersByWallClockThenCounter() {
        assertThat(Hlc.encode(1000, 65535)).isLessThan(Hlc.encode(1001, 0));
        assertThat(Hlc.encode(1000, 1)).isLessThan(Hlc.encode(1000, 2));
    }

    @Test
    void theCounterIsSixteenBits() {
        assertThatThrownBy(() -> Hlc.encode(1000, 65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hlc.encode(1000, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWallClockBeyondTheRangeIsRefusedRatherThanWrapped() {
        long max = (1L << 47) - 1;
        assertThat(Hlc.physicalMillis(Hlc.encode(max, 65535))).isEqualTo(max);
        assertThatThrownBy(() -> Hlc.encode(max + 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hlc.encode(Long.MAX_VALUE, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void instantsBefore1970RoundTrip() {
        Instant before = Instant.parse("1969-12-31T23:59:59.995Z");
        long hlc = Hlc.encode(before.toEpochMilli(), 3);
        assertThat(Hlc.toInstant(hlc)).isEqualTo(before);
        assertThat(hlc).isLessThan(Hlc.encode(0, 0));
    }

    @Test
    void nextIsStrictlyMonotonicEvenWhenTheClockStepsBack() {
        long previous = Hlc.encode(T.toEpochMilli(), 0);
        long afterStepBack = Hlc.next(previous, T.toEpochMilli() - 5_000);
        assertThat(afterStepBack).isGreaterThan(previous);
        assertThat(Hlc.physicalMillis(afterStepBack)).isEqualTo(T.toEpochMilli());

        long sameMillisecond = Hlc.next(afterStepBack, T.toEpochMilli());
        assertThat(sameMillisecond).isEqualTo(afterStepBack + 1);

        long clockMovedOn = Hlc.next(sameMillisecond, T.toEpochMilli() + 10);
        assertThat(clockMovedOn).isEqualTo(Hlc.encode(T.toEpochMilli() + 10, 0));
    }

    @Test
    void nextNeverRepeatsOverARandomWalkOfTheClock() {
        long seed = 20231027L;
        Random random = new Random(seed);
        long clock = T.toEpochMilli();
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 10_000; i++) {
            clock += random.nextInt(7) - 3; // steps back as well as forward
            long next = Hlc.next(previous, clock);
            assertThat(next).as("step %d, seed %d", i, seed).isGreaterThan(previous);
            assertThat(Hlc.physicalMillis(next)).as("step %d, seed %d", i, seed).isGreaterThanOrEqualTo(clock);
            previous = next;
        }
    }

    @Test
    void theUpperBoundIncludesEveryCounterOfTheMillisecond() {
        long bound = Hlc.upperBound(T);
        assertThat(Hlc.encode(T.toEpochMilli(), 0)).isLessThanOrEqualTo(bound);
        assertThat(Hlc.encode(T.toEpochMilli(), 65535)).isLessThanOrEqualTo(bound);
        assertThat(Hlc.encode(T.toEpochMilli() + 1, 0)).isGreaterThan(bound);
    }

    @Test
    void theUpperBoundOfAFractionOfAMillisecondIsThatMillisecond() {
        assertThat(Hlc.upperBound(T.plusNanos(999_999))).isEqualTo(Hlc.upperBound(T));
    }

    @Test
    void theUpperBoundOfTheFarFutureBoundsNothing() {
        assertThat(Hlc.upperBound(Instant.MAX)).isEqualTo(Long.MAX_VALUE);
        assertThat(Hlc.upperBound(Instant.parse("9999-12-31T23:59:59.999Z"))).isEqualTo(Long.MAX_VALUE);
        assertThat(Hlc.upperBound(Instant.MIN)).isEqualTo(Long.MIN_VALUE);
    }
}
