package dev.asof.console.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the valid-time ranges of a timeline read at once begin. After a first page that ended at {@code lastRead},
 * the rest up to {@code latest} (the latest valid time among the customer's current values: a guess at the end,
 * the last range is open) is cut into {@code count} ranges of equal length. A guess that is off only makes the ranges
 * unequal in work, never changes what is read: the ranges meet without gap or overlap.
 */
final class TimelineSlices {

    private TimelineSlices() {}

    /**
     * The first valid time of each range, ascending, the first being {@code lastRead}; empty when there is less
     * than a millisecond per range to cut (then the rest is read as one walk).
     */
    static List<Instant> starts(Instant lastRead, Instant latest, int count) {
        if (count < 2 || !latest.isAfter(lastRead)) {
            return List.of();
        }
        long span = Duration.between(lastRead, latest).toMillis();
        if (span < count) {
            return List.of();
        }
        List<Instant> starts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            starts.add(lastRead.plusMillis(span / count * i));
        }
        return starts;
    }
}
