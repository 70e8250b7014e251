package dev.asof.support.storage;

import java.time.Instant;

/** Sort keys of the immutable log. */
public final class LogKeys {

    private LogKeys() {}

    /**
     * The sort key of an event: its valid time as zero-padded epoch milliseconds, then its id. Determined by the
     * event alone, so a redelivered or re-sent event lands on the same item; sorts by valid time, so "every event
     * at or before T" is one range query.
     */
    public static String eventKey(Instant timestamp, String eventId) {
        return validTimePrefix(timestamp) + "#" + eventId;
    }

    /** The upper bound (inclusive) of the sort keys of events at or before {@code validAt}. */
    public static String upperBound(Instant validAt) {
        return validTimePrefix(validAt) + "#\uffff";
    }

    private static String validTimePrefix(Instant timestamp) {
        long millis = timestamp.toEpochMilli();
        if (millis < 0) {
            throw new IllegalArgumentException("timestamps before 1970 are not stored: " + timestamp);
        }
        return String.format("%015d", millis);
    }
}
