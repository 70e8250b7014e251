package dev.asof.support.storage;

import java.time.Instant;

/**
 * How late events are indexed so that a reader starting from a snapshot finds the ones it misses in a few small
 * range queries, whatever the depth of the history.
 *
 * <p>A late event {@code e} arrives when the customer's latest logged valid time (the head, {@code A}) is already
 * at or after its own valid time {@code ts}; its lateness is {@code L = A - ts}. A snapshot {@code (Ts, Ks)} is
 * taken from a view whose head is at least {@code Ts}, so every event recorded after {@code Ks} arrived with a head
 * of at least {@code Ts}. The events the snapshot misses are therefore exactly the late events with {@code ts <=
 * Ts <= A} recorded after {@code Ks}: those whose interval {@code [ts, A]} contains {@code Ts}.
 *
 * <p>That interval-stabbing question is answered per tier of lateness. Tier {@code t} holds the late events with
 * {@code L < 1 s * 4^t} (and at least the bound of tier {@code t - 1}); an event of tier {@code t} whose interval
 * contains {@code Ts} has {@code ts} in {@code [Ts - 1 s * 4^t, Ts]}, one short range of the index {@code
 * by_lateness} (sort key {@code <tier, 2 digits>#<event key>}). The range holds at most the tier's events of one
 * window of valid time, not every late arrival since {@code Ks}, which is what makes a read from an old snapshot
 * as cheap as one from a new one. The last tier has no upper bound and ranges from the start of the log.
 *
 * <p>Each view keeps the set of tiers its identity's late events fall in ({@code late_tiers}, a bit mask), so a
 * reader only queries tiers that hold anything.
 */
public final class LateTiers {

    /** Tiers 0 to {@code LAST}; tier {@code LAST} holds everything later than {@code 1 s * 4^(LAST - 1)}. */
    public static final int LAST = 17;

    private LateTiers() {}

    /** The tier of an event {@code latenessMillis} behind the head when it arrived (0 or more). */
    public static int tier(long latenessMillis) {
        if (latenessMillis < 0) {
            throw new IllegalArgumentException("a late event is at or before the head: " + latenessMillis);
        }
        for (int tier = 0; tier < LAST; tier++) {
            if (latenessMillis < bound(tier)) {
                return tier;
            }
        }
        return LAST;
    }

    /** The exclusive upper bound of the lateness of tier {@code tier}; {@link Long#MAX_VALUE} for the last. */
    public static long bound(int tier) {
        if (tier < 0 || tier > LAST) {
            throw new IllegalArgumentException("no lateness tier " + tier);
        }
        return tier == LAST ? Long.MAX_VALUE : 1000L << (2 * tier);
    }

    /** The index sort key of a late event of {@code tier}. */
    public static String key(int tier, Instant timestamp, String eventId) {
        return prefix(tier) + LogKeys.eventKey(timestamp, eventId);
    }

    /** The tier a {@link #key} was made for. */
    public static int tierOf(String key) {
        return Integer.parseInt(key.substring(0, 2));
    }

    /**
     * The inclusive key range of {@code tier} that holds every event of the tier whose interval contains {@code
     * validAt}: valid times from {@code validAt - bound(tier)} (the start of the log for the last tier) to {@code
     * validAt}.
     */
    public static String[] window(int tier, Instant validAt) {
        long at = validAt.toEpochMilli();
        long from = tier == LAST ? 0 : Math.max(0, at - bound(tier));
        return new String[] {
            prefix(tier) + LogKeys.eventKey(Instant.ofEpochMilli(from), ""), prefix(tier) + LogKeys.upperBound(validAt)
        };
    }

    /** The mask bit of {@code tier}. */
    public static int bit(int tier) {
        return 1 << tier;
    }

    private static String prefix(int tier) {
        return String.format("%02d#", tier);
    }
}
