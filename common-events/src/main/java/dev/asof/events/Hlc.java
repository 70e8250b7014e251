package dev.asof.events;

import java.time.Instant;

/**
 * Hybrid logical clock values for {@code recorded_at}: wall-clock milliseconds in the high bits and a logical
 * counter in the low 16 bits, so the value stays monotonic per customer even when the host clock steps back.
 */
public final class Hlc {

    private static final int LOGICAL_BITS = 16;
    private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    /** Wall-clock milliseconds that fit the high bits without overflow (about years -2490 to 6429). */
    private static final long MAX_MILLIS = (1L << (Long.SIZE - 1 - LOGICAL_BITS)) - 1;

    private static final long MIN_MILLIS = -(1L << (Long.SIZE - 1 - LOGICAL_BITS));

    private Hlc() {}

    /** The clock value for a wall-clock millisecond and a logical counter. */
    public static long encode(long epochMillis, int logical) {
        if (logical < 0 || logical > LOGICAL_MASK) {
            throw new IllegalArgumentException("logical counter out of range: " + logical);
        }
        if (epochMillis < MIN_MILLIS || epochMillis > MAX_MILLIS) {
            // shifting would silently wrap and break the order of recorded_at
            throw new IllegalArgumentException("wall clock out of range: " + epochMillis);
        }
        return (epochMillis << LOGICAL_BITS) | logical;
    }

    /** The wall-clock part, in epoch milliseconds. */
    public static long physicalMillis(long hlc) {
        // arithmetic shift: the inverse of encode for instants before 1970 too
        return hlc >> LOGICAL_BITS;
    }

    /** The wall-clock part as an instant. */
    public static Instant toInstant(long hlc) {
        return Instant.ofEpochMilli(physicalMillis(hlc));
    }

    /** The next value after {@code previous} given the local wall clock: never smaller, never equal. */
    public static long next(long previous, long nowMillis) {
        return Math.max(encode(nowMillis, 0), previous + 1);
    }

    /**
     * The largest clock value recorded at or before {@code knownAt} (whole milliseconds). An instant beyond the
     * clock's range bounds nothing ({@link Long#MAX_VALUE}, or {@link Long#MIN_VALUE} before it), so {@code
     * Instant.MAX} can stand for "everything recorded so far".
     */
    public static long upperBound(Instant knownAt) {
        if (knownAt.isAfter(Instant.ofEpochMilli(MAX_MILLIS))) {
            return Long.MAX_VALUE;
        }
        if (knownAt.isBefore(Instant.ofEpochMilli(MIN_MILLIS))) {
            return Long.MIN_VALUE;
        }
        return encode(knownAt.toEpochMilli(), (int) LOGICAL_MASK);
    }
}
