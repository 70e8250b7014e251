package dev.asof.console.timeline;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * A customer's timeline drawn as SVG on the server: one lane per attribute (and one for identity events), a mark per
 * change placed by valid time, colour by source system, shape by channel. Marks that would overlap (same lane,
 * within {@link #BUCKET} pixels) are drawn as one aggregate mark with their count, which links to the range they
 * cover, so a customer with 10,000 changes is a page of at most a few hundred marks per lane.
 *
 * <p>Server-side on purpose: the marks are plain SVG elements that a screen reader and keyboard reach like links, the
 * page needs no charting library or Node build, and the drawing is a pure function tested like one.
 */
public record Timeline(
        List<Lane> lanes,
        List<Mark> marks,
        List<Tick> ticks,
        List<LegendEntry> sources,
        List<LegendEntry> channels,
        Instant from,
        Instant to,
        int height,
        int changes) {

    public static final int WIDTH = 1000;
    public static final int LEFT = 190;
    public static final int RIGHT = 16;
    public static final int TOP = 28;
    public static final int LANE = 30;
    public static final int BUCKET = 8;
    /** Buckets across the drawing: a change is in bucket {@code round((valid - from) / (to - from) × BUCKETS)}. */
    public static final int BUCKETS = (WIDTH - LEFT - RIGHT) / BUCKET;

    public static final String IDENTITY_LANE = "identity events";
    /** How many changes of one instant an aggregate mark lists in its label. */
    static final int SAME_INSTANT_LISTED = 10;

    /** A lane: its name and the y of its centre line. */
    public record Lane(String name, int y) {}

    /**
     * A mark.
     *
     * @param path the SVG path of its shape, centred on (0, 0)
     * @param count how many changes it stands for (1, or more for an aggregate)
     * @param label its details in words
     * @param zoomFrom for an aggregate, the start of the range it covers, else {@code null}
     * @param zoomTo for an aggregate, the end of the range it covers, else {@code null}
     */
    public record Mark(
            double x,
            int y,
            String path,
            String fill,
            String kind,
            boolean bulk,
            boolean late,
            int count,
            String label,
            String eventId,
            Instant recordedAt,
            Instant zoomFrom,
            Instant zoomTo) {

        public boolean aggregate() {
            return count > 1;
        }
    }

    /** An axis tick. */
    public record Tick(double x, String label) {}

    /** A legend entry: a source system's colour or a channel's shape. */
    public record LegendEntry(String label, String fill, String path) {}

    private static final Map<String, String> KNOWN_SOURCES = Map.of(
            "genesys_cloud_cx", "#0072B2",
            "nice_cxone", "#D55E00",
            "campaign", "#009E73",
            "merge-service", "#000000");
    private static final List<String> PALETTE =
            List.of("#CC79A7", "#56B4E9", "#E69F00", "#7F3C8D", "#11A579", "#3969AC");
    private static final String NO_SOURCE = "#666666";
    private static final String MIXED = "#444444";

    private static final Map<String, String> SHAPES = Map.of(
            "voice", "M -6 0 A 6 6 0 1 0 6 0 A 6 6 0 1 0 -6 0 Z",
            "chat", "M -5.5 -5.5 H 5.5 V 5.5 H -5.5 Z",
            "email", "M 0 -7 L 7 0 L 0 7 L -7 0 Z",
            "sms", "M 0 -7 L 6.5 5 L -6.5 5 Z",
            "web", "M 0 7 L 6.5 -5 L -6.5 -5 Z");
    private static final String OTHER_SHAPE = "M -2 -7 H 2 V -2 H 7 V 2 H 2 V 7 H -2 V 2 H -7 V -2 H -2 Z";
    private static final String MERGE_SHAPE = "M -7 -6 L 7 0 L -7 6 Z";
    private static final String UNMERGE_SHAPE = "M 7 -6 L -7 0 L 7 6 Z";
    private static final String ERASURE_SHAPE = "M -6 -6 L 6 6 M 6 -6 L -6 6";
    private static final String AGGREGATE_SHAPE = "M -9 -8 H 9 V 8 H -9 Z";

    /** Draws {@code changes} over {@code [from, to]}; {@code null} bounds are taken from the changes. */
    public static Timeline draw(List<Change> changes, Instant from, Instant to) {
        Instant[] range = range(changes, from, to);
        Instant start = range[0];
        Instant end = range[1];
        // [from, to) when `to` was asked for, like the CSV export; the whole drawing when it was not
        boolean openEnd = to == null;
        List<Change> shown = markLate(changes).stream()
                .filter(change -> !change.changedAt().isBefore(start)
                        && (openEnd
                                ? !change.changedAt().isAfter(end)
                                : change.changedAt().isBefore(end)))
                .toList();

        TreeSet<String> attributes = new TreeSet<>();
        boolean identityEvents = false;
        for (Change change : shown) {
            if (change.attribute() == null) {
                identityEvents = true;
            } else {
                attributes.add(change.attribute());
            }
        }
        Map<String, Lane> lanes = lanes(identityEvents, attributes);

        Map<String, String> sourceColours = new LinkedHashMap<>();
        Map<String, String> channelShapes = new LinkedHashMap<>();
        Map<String, List<Change>> buckets = new LinkedHashMap<>();
        for (Change change : shown) {
            String lane = change.attribute() == null ? IDENTITY_LANE : change.attribute();
            long bucket = bucket(change.changedAt(), start, end);
            buckets.computeIfAbsent(lane + "\u0000" + bucket, key -> new ArrayList<>())
                    .add(change);
            sourceColours.computeIfAbsent(sourceKey(change), Timeline::colour);
            if (change.attribute() != null) {
                channelShapes.computeIfAbsent(channelKey(change), Timeline::shape);
            }
        }

        List<Mark> marks = new ArrayList<>();
        for (List<Change> bucket : buckets.values()) {
            Change first = bucket.get(0);
            Lane lane = lanes.get(first.attribute() == null ? IDENTITY_LANE : first.attribute());
            if (bucket.size() == 1) {
                marks.add(mark(first, lane, start, end));
            } else {
                marks.add(aggregate(bucket, lane, start, end));
            }
        }
        marks.sort(Comparator.comparingInt(Mark::y).thenComparingDouble(Mark::x));

        List<LegendEntry> sources = new ArrayList<>();
        sourceColours.forEach((source, fill) -> sources.add(new LegendEntry(source, fill, SHAPES.get("voice"))));
        List<LegendEntry> channels = new ArrayList<>();
        channelShapes.forEach((channel, path) -> channels.add(new LegendEntry(channel, NO_SOURCE, path)));
        return new Timeline(
                List.copyOf(lanes.values()),
                marks,
                ticks(start, end),
                sources,
                channels,
                start,
                end,
                height(lanes.size()),
                shown.size());
    }

    /**
     * The drawing of a timeline reconstruction-service summed up ({@code GET /api/v1/customers/{id}/history/marks},
     * asked for {@link #BUCKETS} buckets): the same drawing {@link #draw} makes of the changes it read, without reading
     * them (a 10,000-change timeline is about 800 marks). A mark of more sources than the answer names is drawn in
     * the mixed colour.
     *
     * @throws IllegalArgumentException when the answer is not such a summary
     */
    public static Timeline fromMarks(JsonNode answer) {
        Instant start = Change.instant(answer.path("from").asString());
        Instant end = Change.instant(answer.path("to").asString());
        if (!answer.path("marks").isArray() || !end.isAfter(start)) {
            throw new IllegalArgumentException("not a history/marks answer");
        }
        TreeSet<String> attributes = new TreeSet<>();
        boolean identityEvents = false;
        for (JsonNode mark : answer.path("marks")) {
            String attribute = Change.text(mark, "attribute");
            if (attribute == null) {
                identityEvents = true;
            } else {
                attributes.add(attribute);
            }
        }
        Map<String, Lane> lanes = lanes(identityEvents, attributes);
        List<Mark> marks = new ArrayList<>();
        for (JsonNode mark : answer.path("marks")) {
            String attribute = Change.text(mark, "attribute");
            Lane lane = lanes.get(attribute == null ? IDENTITY_LANE : attribute);
            int count = mark.path("count").asInt();
            boolean late = mark.path("late").asBoolean();
            List<Change> listed = new ArrayList<>();
            for (JsonNode change : mark.path("changes")) {
                listed.add(Change.of(change).withLate(late));
            }
            if (count == 1 && listed.size() == 1) {
                marks.add(mark(listed.get(0), lane, start, end));
                continue;
            }
            if (count < 2) {
                throw new IllegalArgumentException("a mark of " + count + " changes listing " + listed.size());
            }
            String fill = null;
            for (JsonNode source : mark.path("sources")) {
                String colour = colour(source.isNull() ? "(no source)" : source.asString());
                fill = fill == null || fill.equals(colour) ? colour : MIXED;
            }
            if (fill == null || mark.path("more_sources").asBoolean()) {
                fill = MIXED;
            }
            marks.add(aggregate(
                    count,
                    Change.instant(mark.path("first_at").asString()),
                    Change.instant(mark.path("last_at").asString()),
                    mark.path("mean_offset_ms").asDouble(),
                    fill,
                    late,
                    listed,
                    lane,
                    start,
                    end));
        }
        marks.sort(Comparator.comparingInt(Mark::y).thenComparingDouble(Mark::x));
        // keyed by label as draw's legend is: a source named "(no source)" and a missing one are one entry there
        Map<String, LegendEntry> sources = new LinkedHashMap<>();
        for (JsonNode source : answer.path("sources")) {
            String key = source.isNull() ? "(no source)" : source.asString();
            sources.putIfAbsent(key, new LegendEntry(key, colour(key), SHAPES.get("voice")));
        }
        Map<String, LegendEntry> channels = new LinkedHashMap<>();
        for (JsonNode channel : answer.path("channels")) {
            String key = channel.isNull() ? "(no channel)" : channel.asString();
            channels.putIfAbsent(key, new LegendEntry(key, NO_SOURCE, shape(key)));
        }
        return new Timeline(
                List.copyOf(lanes.values()),
                marks,
                ticks(start, end),
                List.copyOf(sources.values()),
                List.copyOf(channels.values()),
                start,
                end,
                height(lanes.size()),
                answer.path("changes").asInt());
    }

    /** The lanes, top down: identity events first when there are any, then the attributes in order. */
    private static Map<String, Lane> lanes(boolean identityEvents, TreeSet<String> attributes) {
        Map<String, Lane> lanes = new LinkedHashMap<>();
        int y = TOP + LANE / 2;
        if (identityEvents) {
            lanes.put(IDENTITY_LANE, new Lane(IDENTITY_LANE, y));
            y += LANE;
        }
        for (String attribute : attributes) {
            lanes.put(attribute, new Lane(attribute, y));
            y += LANE;
        }
        return lanes;
    }

    /** The drawing's height for {@code lanes} lanes. */
    private static int height(int lanes) {
        return Math.max(TOP + LANE / 2 + lanes * LANE + 24, TOP + LANE + 24);
    }

    /**
     * The changes with {@code late} set: an event is late when, by the time the log recorded it, the log already
     * held an event of this timeline with a later valid time (it arrived out of order).
     */
    public static List<Change> markLate(List<Change> changes) {
        Map<String, Instant> recordedAt = new HashMap<>();
        Map<String, Instant> changedAt = new HashMap<>();
        for (Change change : changes) {
            recordedAt.putIfAbsent(change.eventId(), change.recordedAt());
            changedAt.putIfAbsent(change.eventId(), change.changedAt());
        }
        List<String> byRecording = new ArrayList<>(recordedAt.keySet());
        byRecording.sort(Comparator.comparing((String id) -> recordedAt.get(id)).thenComparing(id -> id));
        Map<String, Boolean> late = new HashMap<>();
        Instant latestValid = Instant.MIN;
        int i = 0;
        while (i < byRecording.size()) {
            // events recorded at the same instant do not make each other late
            Instant recorded = recordedAt.get(byRecording.get(i));
            int j = i;
            Instant latestHere = latestValid;
            while (j < byRecording.size() && recordedAt.get(byRecording.get(j)).equals(recorded)) {
                Instant valid = changedAt.get(byRecording.get(j));
                late.put(byRecording.get(j), valid.isBefore(latestValid));
                if (valid.isAfter(latestHere)) {
                    latestHere = valid;
                }
                j++;
            }
            latestValid = latestHere;
            i = j;
        }
        List<Change> marked = new ArrayList<>(changes.size());
        for (Change change : changes) {
            marked.add(change.withLate(late.getOrDefault(change.eventId(), false)));
        }
        return marked;
    }

    /** The x of an instant on a drawing of {@code [from, to]}. */
    public static double xOf(Instant at, Instant from, Instant to) {
        return round(x(at, from, to));
    }

    static double x(Instant at, Instant from, Instant to) {
        return xOfOffset(Duration.between(from, at).toMillis(), from, to);
    }

    private static double xOfOffset(double offset, Instant from, Instant to) {
        double span = Math.max(1, Duration.between(from, to).toMillis());
        return LEFT + offset / span * (WIDTH - LEFT - RIGHT);
    }

    /** The bucket of an instant: as reconstruction-service's {@code history/marks} puts it. */
    static long bucket(Instant at, Instant from, Instant to) {
        double span = Math.max(1, Duration.between(from, to).toMillis());
        long offset = Duration.between(from, at).toMillis();
        return Math.round(offset / span * BUCKETS);
    }

    private static Mark mark(Change change, Lane lane, Instant from, Instant to) {
        String path = switch (change.kind()) {
            case MERGE -> MERGE_SHAPE;
            case UNMERGE -> UNMERGE_SHAPE;
            case ERASURE -> ERASURE_SHAPE;
            default -> shape(channelKey(change));
        };
        return new Mark(
                round(x(change.changedAt(), from, to)),
                lane.y(),
                path,
                colour(sourceKey(change)),
                change.kind().name().toLowerCase(java.util.Locale.ROOT),
                change.kind() == Change.Kind.BULK,
                change.late(),
                1,
                change.describe(),
                change.eventId(),
                change.recordedAt(),
                null,
                null);
    }

    private static Mark aggregate(List<Change> bucket, Lane lane, Instant from, Instant to) {
        Instant first = bucket.get(0).changedAt();
        Instant last = first;
        String fill = colour(sourceKey(bucket.get(0)));
        double offsets = 0;
        boolean late = false;
        for (Change change : bucket) {
            if (change.changedAt().isBefore(first)) {
                first = change.changedAt();
            }
            if (change.changedAt().isAfter(last)) {
                last = change.changedAt();
            }
            if (!colour(sourceKey(change)).equals(fill)) {
                fill = MIXED;
            }
            late |= change.late();
            offsets += Duration.between(from, change.changedAt()).toMillis();
        }
        return aggregate(
                bucket.size(),
                first,
                last,
                offsets / bucket.size(),
                fill,
                late,
                bucket.subList(0, Math.min(bucket.size(), SAME_INSTANT_LISTED)),
                lane,
                from,
                to);
    }

    /**
     * An aggregate mark of {@code count} changes valid from {@code first} to {@code last}, their valid times'
     * mean {@code meanOffset} ms after {@code from}; {@code listed}: the first of them (all, up to {@link
     * #SAME_INSTANT_LISTED}), named in the label when they are of one instant.
     */
    private static Mark aggregate(
            int count,
            Instant first,
            Instant last,
            double meanOffset,
            String fill,
            boolean late,
            List<Change> listed,
            Lane lane,
            Instant from,
            Instant to) {
        Instant zoomTo = last.plusMillis(1);
        if (Duration.between(first, zoomTo).toMillis() < 1000) {
            zoomTo = first.plusSeconds(1);
        }
        String label;
        if (first.equals(last)) {
            // no zoom separates changes of one instant: the mark lists them (the CSV export has them all)
            StringBuilder text = new StringBuilder(count + " changes of " + lane.name() + " at " + first);
            for (int i = 0; i < Math.min(listed.size(), SAME_INSTANT_LISTED); i++) {
                text.append(i == 0 ? ": " : "; ").append(listed.get(i).summary());
            }
            if (count > SAME_INSTANT_LISTED) {
                text.append("; and ").append(count - SAME_INSTANT_LISTED).append(" more (CSV export)");
            }
            label = text.toString();
        } else {
            label = count + " changes of " + lane.name() + " from " + first + " to " + last + ": select to zoom in";
        }
        return new Mark(
                round(xOfOffset(meanOffset, from, to)),
                lane.y(),
                AGGREGATE_SHAPE,
                fill,
                "aggregate",
                false,
                late,
                count,
                label,
                null,
                null,
                first,
                zoomTo);
    }

    private static List<Tick> ticks(Instant from, Instant to) {
        long span = Duration.between(from, to).toMillis();
        DateTimeFormatter format;
        if (span >= Duration.ofDays(3).toMillis()) {
            format = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
        } else if (span >= Duration.ofMinutes(10).toMillis()) {
            format = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneOffset.UTC);
        } else {
            format = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
        }
        List<Tick> ticks = new ArrayList<>();
        int count = 5;
        for (int i = 0; i <= count; i++) {
            Instant at = from.plusMillis(span * i / count);
            ticks.add(new Tick(round(x(at, from, to)), format.format(at)));
        }
        return ticks;
    }

    private static Instant[] range(List<Change> changes, Instant from, Instant to) {
        Instant min = null;
        Instant max = null;
        for (Change change : changes) {
            if (min == null || change.changedAt().isBefore(min)) {
                min = change.changedAt();
            }
            if (max == null || change.changedAt().isAfter(max)) {
                max = change.changedAt();
            }
        }
        Instant start = from;
        Instant end = to;
        if (start == null || end == null) {
            if (min == null) {
                Instant now = Instant.now();
                min = now.minus(Duration.ofDays(1));
                max = now;
            }
            long pad = Math.max(1000, Duration.between(min, max).toMillis() / 40);
            if (start == null) {
                start = min.minusMillis(pad);
            }
            if (end == null) {
                end = max.plusMillis(pad);
            }
        }
        if (!end.isAfter(start)) {
            end = start.plusSeconds(1);
        }
        return new Instant[] {start, end};
    }

    private static String sourceKey(Change change) {
        return change.sourceSystem() == null ? "(no source)" : change.sourceSystem();
    }

    private static String channelKey(Change change) {
        return change.channel() == null ? "(no channel)" : change.channel().toLowerCase(java.util.Locale.ROOT);
    }

    private static String colour(String source) {
        if (source.equals("(no source)")) {
            return NO_SOURCE;
        }
        String known = KNOWN_SOURCES.get(source);
        if (known != null) {
            return known;
        }
        return PALETTE.get(Math.floorMod(source.hashCode(), PALETTE.size()));
    }

    private static String shape(String channel) {
        return SHAPES.getOrDefault(channel, OTHER_SHAPE);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
