package dev.asof.reconstruction.history;

import dev.asof.events.Hlc;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A customer's timeline summed up for drawing: its changes put in one lane per attribute (and one for identity
 * events: merges, unmerges, erasures) and, within a lane, in buckets of equal valid-time width over a window, each
 * bucket a mark: how many changes, their first and last valid times, the mean of their valid times, their sources,
 * whether any arrived late, and the changes themselves when the mark is one change or changes of one instant (at
 * most {@link #LISTED}). A 10,000-change timeline is a few hundred marks, so a drawing need not read every change.
 *
 * <p>Fed the changes of a history walk in the total order of changes, from the window's start to the end of the
 * timeline: whether a change arrived late depends on changes valid after the window. Late: by the time the log
 * recorded the change's event, the log already held an event of the timeline valid later (events recorded in the same
 * millisecond do not make each other late). The window's open ends are taken from the changes read: the first and
 * last valid times, padded by a fortieth of the span and at least a second (the day before now when none). The
 * changes are held until {@link #summary}, at most as many as the caller reads (the endpoint's {@code max_changes}).
 */
public final class TimelineMarks {

    /** The most changes a mark lists: one change, or up to this many of one instant. */
    public static final int LISTED = 10;

    /** The most sources a mark names; more are only counted as more. */
    public static final int MAX_SOURCES = 16;

    private final Long fromMillis;
    private final Long toMillis;
    private final int buckets;

    /** Per event: the valid and recorded times of its first change (a bulk update's entries share them). */
    private final Map<String, long[]> events = new LinkedHashMap<>();

    /** The changes in the window, in the total order. */
    private final List<HistoryChange> shown = new ArrayList<>();

    private int read;
    private long readMin = Long.MAX_VALUE;
    private long readMax = Long.MIN_VALUE;
    private Instant lastAdded;

    /**
     * @param from the window's start; {@code null}: the first change's valid time, padded
     * @param to the window's end, exclusive; {@code null}: the last change's, padded, inclusive
     * @param buckets how many buckets the window is cut into
     */
    public TimelineMarks(Instant from, Instant to, int buckets) {
        if (buckets < 1) {
            throw new IllegalArgumentException("buckets must be positive: " + buckets);
        }
        this.fromMillis = from == null ? null : from.toEpochMilli();
        this.toMillis = to == null ? null : to.toEpochMilli();
        this.buckets = buckets;
    }

    /** One change of the walk, in the total order; changes before {@code from} are not expected but are ignored. */
    public void add(HistoryChange change) {
        long valid = change.version().timestamp().toEpochMilli();
        if (fromMillis != null && valid < fromMillis) {
            return;
        }
        read++;
        lastAdded = change.version().timestamp();
        readMin = Math.min(readMin, valid);
        readMax = Math.max(readMax, valid);
        events.computeIfAbsent(change.event().eventId(), id ->
                new long[] {valid, Hlc.physicalMillis(change.version().recordedAt())});
        if (toMillis == null || valid < toMillis) {
            shown.add(change);
        }
    }

    /** The changes added, in the window or after it. */
    public int read() {
        return read;
    }

    /** The valid time of the last change added in the window, or {@code null}. */
    public Instant lastShown() {
        return shown.isEmpty() ? null : shown.get(shown.size() - 1).version().timestamp();
    }

    /** The valid time of the last change added, in the window or after it, or {@code null}. */
    public Instant lastRead() {
        return lastAdded;
    }

    /** The summary of what was added. */
    public Summary summary() {
        long[] window = window();
        long start = window[0];
        double span = Math.max(1, window[1] - start);
        Map<String, Boolean> late = late();
        LinkedHashSet<String> sources = new LinkedHashSet<>();
        LinkedHashSet<String> channels = new LinkedHashSet<>();
        Map<String, Bucket> marks = new LinkedHashMap<>();
        for (HistoryChange change : shown) {
            long valid = change.version().timestamp().toEpochMilli();
            long offset = valid - start;
            long bucket = Math.round(offset / span * buckets);
            String source = change.event().sourceSystem();
            sources.add(source);
            if (change.attribute() != null) {
                String channel = change.event().metadata().channel();
                channels.add(channel == null ? null : channel.toLowerCase(Locale.ROOT));
            }
            boolean isLate = late.get(change.event().eventId());
            marks.computeIfAbsent(change.attribute() + "\u0000" + bucket, key -> new Bucket(change.attribute(), bucket))
                    .add(change, valid, offset, source, isLate);
        }
        List<Mark> summed = new ArrayList<>(marks.size());
        for (Bucket bucket : marks.values()) {
            summed.add(bucket.mark());
        }
        return new Summary(
                Instant.ofEpochMilli(window[0]),
                Instant.ofEpochMilli(window[1]),
                buckets,
                shown.size(),
                read,
                summed,
                new ArrayList<>(sources),
                new ArrayList<>(channels));
    }

    /**
     * The summary.
     *
     * @param from the window's start
     * @param to the window's end
     * @param buckets how many buckets the window is cut into: a change is in bucket {@code round((valid - from) /
     *     max(1 ms, to - from) × buckets)}
     * @param changes the changes in the window
     * @param read the changes read: those in the window and those after it
     * @param marks one per lane and bucket with changes, in the order of their first change
     * @param sources the sources of the changes in the window, in the order first met ({@code null}: none sent)
     * @param channels the channels of the attribute changes in the window, lower case, in the order first met
     */
    public record Summary(
            Instant from,
            Instant to,
            int buckets,
            int changes,
            int read,
            List<Mark> marks,
            List<String> sources,
            List<String> channels) {}

    /**
     * One mark.
     *
     * @param attribute its lane: the attribute, or {@code null} for identity events
     * @param count how many changes it stands for
     * @param meanOffsetMillis the mean of their valid times, in milliseconds after the window's start
     * @param late whether any of them arrived late
     * @param sources their sources, in the order first met, at most {@link #MAX_SOURCES}
     * @param moreSources whether they have more sources than listed
     * @param listed the changes, when the mark is one change or changes of one instant (at most {@link #LISTED});
     *     else empty
     */
    public record Mark(
            String attribute,
            long bucket,
            int count,
            Instant first,
            Instant last,
            double meanOffsetMillis,
            boolean late,
            List<String> sources,
            boolean moreSources,
            List<HistoryChange> listed) {}

    private final class Bucket {
        private final String attribute;
        private final long bucket;
        private final List<HistoryChange> first = new ArrayList<>(1);
        private final LinkedHashSet<String> sources = new LinkedHashSet<>();
        private boolean moreSources;
        private int count;
        private long firstMillis = Long.MAX_VALUE;
        private long lastMillis = Long.MIN_VALUE;
        private double offsets;
        private boolean late;

        Bucket(String attribute, long bucket) {
            this.attribute = attribute;
            this.bucket = bucket;
        }

        void add(HistoryChange change, long valid, long offset, String source, boolean isLate) {
            count++;
            firstMillis = Math.min(firstMillis, valid);
            lastMillis = Math.max(lastMillis, valid);
            offsets += offset;
            late |= isLate;
            if (!sources.contains(source)) {
                if (sources.size() < MAX_SOURCES) {
                    sources.add(source);
                } else {
                    moreSources = true;
                }
            }
            if (first.size() < LISTED) {
                first.add(change);
            }
        }

        Mark mark() {
            boolean oneInstant = firstMillis == lastMillis;
            return new Mark(
                    attribute,
                    bucket,
                    count,
                    Instant.ofEpochMilli(firstMillis),
                    Instant.ofEpochMilli(lastMillis),
                    offsets / count,
                    late,
                    new ArrayList<>(sources),
                    moreSources,
                    count == 1 || oneInstant ? List.copyOf(first) : List.of());
        }
    }

    private long[] window() {
        long min = readMin;
        long max = readMax;
        Long start = fromMillis;
        Long end = toMillis;
        if (start == null || end == null) {
            if (read == 0) {
                long now = System.currentTimeMillis();
                min = now - 86_400_000L;
                max = now;
            }
            long pad = Math.max(1000, (max - min) / 40);
            if (start == null) {
                start = min - pad;
            }
            if (end == null) {
                end = max + pad;
            }
        }
        if (end <= start) {
            end = start + 1000;
        }
        return new long[] {start, end};
    }

    /**
     * Whether each event read arrived late: in the order of recording (then of event id), an event is late when an
     * event recorded in an earlier millisecond is valid after it.
     */
    private Map<String, Boolean> late() {
        String[] ids = events.keySet().toArray(String[]::new);
        Arrays.sort(ids, (a, b) -> {
            int byRecorded = Long.compare(events.get(a)[1], events.get(b)[1]);
            return byRecorded != 0 ? byRecorded : a.compareTo(b);
        });
        Map<String, Boolean> late = new HashMap<>(ids.length * 2);
        long latestValid = Long.MIN_VALUE;
        int i = 0;
        while (i < ids.length) {
            long recorded = events.get(ids[i])[1];
            long latestHere = latestValid;
            int j = i;
            while (j < ids.length && events.get(ids[j])[1] == recorded) {
                long valid = events.get(ids[j])[0];
                late.put(ids[j], valid < latestValid);
                latestHere = Math.max(latestHere, valid);
                j++;
            }
            latestValid = latestHere;
            i = j;
        }
        return late;
    }
}
