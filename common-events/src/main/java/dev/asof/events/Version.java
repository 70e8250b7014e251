package dev.asof.events;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * The total order of changes: by {@code timestamp_utc}, then {@code recorded_at}, then {@code event_id}, then
 * position inside a bulk update. Arrival order plays no part, so every replica folds the same history to the
 * same profile.
 *
 * @param timestamp valid time of the change
 * @param recordedAt {@link Hlc} system time of the change
 * @param eventId the event
 * @param index position inside a {@link BulkProfileUpdate}; 0 otherwise
 */
public record Version(Instant timestamp, long recordedAt, String eventId, int index) implements Comparable<Version> {

    private static final Comparator<Version> ORDER = Comparator.comparing(Version::timestamp)
            .thenComparingLong(Version::recordedAt)
            .thenComparing(Version::eventId)
            .thenComparingInt(Version::index);

    public Version {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(eventId, "eventId");
    }

    @Override
    public int compareTo(Version other) {
        return ORDER.compare(this, other);
    }

    /** Whether this version comes after {@code other}; anything comes after {@code null}. */
    public boolean isAfter(Version other) {
        return other == null || compareTo(other) > 0;
    }

    /** The later of two versions, either of which may be {@code null}. */
    public static Version latest(Version a, Version b) {
        if (a == null) {
            return b;
        }
        return a.isAfter(b) ? a : b;
    }
}
