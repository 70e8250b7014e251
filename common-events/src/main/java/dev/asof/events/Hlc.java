package dev.asof.events;

import java.time.Instant;

/**
 * Hybrid logical clock values for {@code recorded_at}: wall-clock milliseconds in the high bits and a logical
 * counter in the low 16 bits, so the value stays monotonic per customer even when the host clock steps back.
 */
public final class Hlc {

    private static final int LOGICAL_BITS = 16;
    private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    private Hlc() {}

    /** The clock value for a wall-clock millisecond and a logical counter. */
    public static long encode(long epochMillis, int logical) {
        if (logical < 0 || logical > LOGICAL_MASK) {
            throw new IllegalArgumentException("logical counter out of range: " + logical);
        }
        return (epochMillis << LOGICAL_BITS) | logical;
    }

    /** The wall-clock part, in epoch milliseconds. */
    public static long physicalMillis(long hlc) {
        return hlc >>> LOGICAL_BITS;
    }

    /** The wall-clock part as an instant. */
    public static Instant toInstant(long hlc) {
        return Instant.ofEpochMilli(physicalMillis(hlc));
    }

    /** The next value after {@code previous} given the local wall clock: never smaller, never equal. */
    public static long next(long previous, long nowMillis) {
        return Math.max(encode(nowMillis, 0), previous + 1);
    }

    /** The largest clock value recorded at or before {@code knownAt} (whole milliseconds). */
    public static long upperBound(Instant knownAt) {
        return encode(knownAt.toEpochMilli(), (int) LOGICAL_MASK);
    }
}
