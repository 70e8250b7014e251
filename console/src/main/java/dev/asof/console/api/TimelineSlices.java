package dev.asof.console.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the valid-time ranges of a timeline read at once begin. After a first page that ended at {@code lastRead},
 * the rest up to {@code latest} (the latest valid time among the customer's current values: a guess at the end,
 * the last range is open) is cut into {@code count} ranges of equal length ({@link #count}: as many as keep each range
 * to about one history page at the first page's pace). A guess that is off only makes the ranges unequal in work,
 * never changes what is read: the ranges meet without gap or overlap.
 */
final class TimelineSlices {

    private TimelineSlices() {}

    /**
     * Changes a range is cut to hold, by the first page's pace: below a history page of 1,000 ({@link
     * AsofApi#HISTORY_PAGE}), so that a range is read in one request even where the changes come a little denser than
     * the guess. A range that holds more is read on, page after page; its second page waits for its first and reads
     * the states before its cursor again (measured on a 10,000-change timeline read from the store with 8 ranges of
     * about 1,250 changes: the second pages began once the first ones were in, and took the last 0.45 s of 1.08 s).
     */
    static final int RANGE_CHANGES = 800;

    /**
     * How many ranges to cut the rest into, at most {@code max}: the first page read {@code firstPageChanges} changes
     * between {@code firstRead} and {@code lastRead}; at that pace the rest up to {@code latest} holds about
     * {@code firstPageChanges * (latest - lastRead) / (lastRead - firstRead)} changes, cut into ranges of about
     * {@link #RANGE_CHANGES}. At least 2 (when {@code max} allows); {@code max} when the first page took no time.
     */
    static int count(int firstPageChanges, Instant firstRead, Instant lastRead, Instant latest, int max) {
        if (max < 2) {
            return max;
        }
        long paced = Duration.between(firstRead, lastRead).toMillis();
        long rest = Duration.between(lastRead, latest).toMillis();
        if (paced <= 0) {
            return max;
        }
        double expected = (double) firstPageChanges * Math.max(0, rest) / paced;
        double ranges = Math.ceil(expected / RANGE_CHANGES);
        return (int) Math.max(2, Math.min(max, ranges));
    }

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
