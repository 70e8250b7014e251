package dev.asof.reconstruction.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.events.Hlc;
import dev.asof.events.ProfileErased;
import dev.asof.events.ProfileMerged;
import dev.asof.events.Version;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link TimelineMarks} against a naive summary of the same seeded timelines: every change put in its lane and bucket
 * by the definition, late by the definition (some event recorded in an earlier millisecond is valid later), counted
 * one by one. Timelines with runs of one instant, events recorded out of order and in the same millisecond, bulk
 * updates (several changes of one event), identity events, missing sources and channels, open and closed windows.
 */
class TimelineMarksTest {

    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

    @Test
    void marksEqualANaiveSummaryOfSeededTimelines() {
        Random random = new Random(Long.getLong("asof.seed", 20261204L));
        for (int run = 0; run < 300; run++) {
            List<HistoryChange> timeline = timeline(random, random.nextInt(run < 20 ? 5 : 3_000));
            Instant from = null;
            Instant to = null;
            if (!timeline.isEmpty() && random.nextBoolean()) {
                from = timeline.get(random.nextInt(timeline.size())).version().timestamp();
            }
            if (!timeline.isEmpty() && random.nextBoolean()) {
                to = timeline.get(random.nextInt(timeline.size()))
                        .version()
                        .timestamp()
                        .plusMillis(1 + random.nextInt(3));
                if (from != null && !from.isBefore(to)) {
                    to = from.plusSeconds(1);
                }
            }
            int buckets = 1 + random.nextInt(random.nextBoolean() ? 10 : 2_000);
            TimelineMarks marks = new TimelineMarks(from, to, buckets);
            Instant start = from;
            timeline.stream()
                    .filter(change ->
                            start == null || !change.version().timestamp().isBefore(start))
                    .forEach(marks::add);
            TimelineMarks.Summary summary = marks.summary();
            Naive naive = naive(timeline, from, to, buckets);

            String seed = "run " + run + " (from " + from + ", to " + to + ", " + buckets + " buckets)";
            if (naive.from != null) {
                assertThat(summary.from()).as(seed).isEqualTo(naive.from);
                assertThat(summary.to()).as(seed).isEqualTo(naive.to);
            }
            assertThat(summary.changes()).as(seed).isEqualTo(naive.shown);
            assertThat(summary.sources()).as(seed).isEqualTo(naive.sources);
            assertThat(summary.channels()).as(seed).isEqualTo(naive.channels);
            assertThat(summary.marks()).as(seed).hasSize(naive.marks.size());
            int counted = 0;
            for (TimelineMarks.Mark mark : summary.marks()) {
                NaiveMark expected = naive.marks.get(mark.attribute() + "|" + mark.bucket());
                assertThat(expected).as(seed + ": a mark the naive summary has").isNotNull();
                assertThat(mark.count()).as(seed).isEqualTo(expected.changes.size());
                assertThat(mark.first()).as(seed).isEqualTo(expected.first());
                assertThat(mark.last()).as(seed).isEqualTo(expected.last());
                assertThat(mark.late()).as(seed).isEqualTo(expected.late);
                assertThat(mark.meanOffsetMillis()).as(seed).isCloseTo(expected.meanOffset(naive.from), within(1e-6));
                List<String> sources = new ArrayList<>(expected.sources);
                assertThat(mark.sources())
                        .as(seed)
                        .isEqualTo(sources.subList(0, Math.min(sources.size(), TimelineMarks.MAX_SOURCES)));
                assertThat(mark.moreSources()).as(seed).isEqualTo(sources.size() > TimelineMarks.MAX_SOURCES);
                boolean listed =
                        expected.changes.size() == 1 || expected.first().equals(expected.last());
                assertThat(mark.listed())
                        .as(seed + ": the changes listed")
                        .isEqualTo(
                                listed
                                        ? expected.changes.subList(
                                                0, Math.min(expected.changes.size(), TimelineMarks.LISTED))
                                        : List.of());
                counted += mark.count();
            }
            assertThat(counted).as(seed).isEqualTo(naive.shown);
        }
    }

    @Test
    void anEventRecordedAfterALaterOneIsLateAndOnesRecordedInTheSameMillisecondAreNot() {
        Instant at10 = START.plusSeconds(10);
        Instant at50 = START.plusSeconds(50);
        List<HistoryChange> timeline = new ArrayList<>(List.of(
                change("a", START.plusSeconds(100), at10, "email", "genesys_cloud_cx", "voice"),
                change("b", at10, at50, "email", "genesys_cloud_cx", "voice"),
                change("c", START.plusSeconds(20), at50, "phone", null, null),
                change("d", START.plusSeconds(60), at50, "phone", "crm", "Chat"),
                change("e", START.plusSeconds(200), at50, "tier", "crm", "voice"),
                change("f", START.plusSeconds(150), at50, "tier", "crm", "voice")));
        timeline.sort(Comparator.comparing(HistoryChange::version));
        TimelineMarks marks = new TimelineMarks(null, null, 1_000);
        timeline.forEach(marks::add);
        Map<String, Boolean> late = new HashMap<>();
        for (TimelineMarks.Mark mark : marks.summary().marks()) {
            late.put(mark.listed().get(0).event().eventId(), mark.late());
        }
        // b, c, d, e and f were recorded in one millisecond, after a (valid at 100 s): b, c and d are valid before
        // it, late; f (150 s) is valid before e (200 s), but e was recorded in the same millisecond: not late
        assertThat(late)
                .containsEntry("a", false)
                .containsEntry("b", true)
                .containsEntry("c", true)
                .containsEntry("d", true)
                .containsEntry("e", false)
                .containsEntry("f", false);
        assertThat(marks.summary().channels()).containsExactly("voice", null, "chat");
        assertThat(marks.summary().sources()).containsExactly("genesys_cloud_cx", null, "crm");
    }

    // ---- the naive summary -----------------------------------------------------------------------------------

    private record Naive(
            Instant from,
            Instant to,
            int shown,
            Map<String, NaiveMark> marks,
            List<String> sources,
            List<String> channels) {}

    private static final class NaiveMark {
        final List<HistoryChange> changes = new ArrayList<>();
        final LinkedHashSet<String> sources = new LinkedHashSet<>();
        boolean late;

        Instant first() {
            return changes.stream()
                    .map(change -> change.version().timestamp())
                    .min(Comparator.naturalOrder())
                    .orElseThrow();
        }

        Instant last() {
            return changes.stream()
                    .map(change -> change.version().timestamp())
                    .max(Comparator.naturalOrder())
                    .orElseThrow();
        }

        double meanOffset(Instant from) {
            double sum = 0;
            for (HistoryChange change : changes) {
                sum += change.version().timestamp().toEpochMilli() - from.toEpochMilli();
            }
            return sum / changes.size();
        }
    }

    private static Naive naive(List<HistoryChange> timeline, Instant from, Instant to, int buckets) {
        List<HistoryChange> read = timeline.stream()
                .filter(change -> from == null || !change.version().timestamp().isBefore(from))
                .toList();
        List<HistoryChange> shown = read.stream()
                .filter(change -> to == null || change.version().timestamp().isBefore(to))
                .toList();
        Instant start = from;
        Instant end = to;
        if (start == null || end == null) {
            Instant min = read.stream()
                    .map(change -> change.version().timestamp())
                    .min(Comparator.naturalOrder())
                    .orElse(null);
            Instant max = read.stream()
                    .map(change -> change.version().timestamp())
                    .max(Comparator.naturalOrder())
                    .orElse(null);
            if (min == null) {
                // nothing read: the window is the day before now (not compared)
                return new Naive(null, null, 0, Map.of(), List.of(), List.of());
            }
            long pad = Math.max(1000, (max.toEpochMilli() - min.toEpochMilli()) / 40);
            start = start == null ? min.minusMillis(pad) : start;
            end = end == null ? max.plusMillis(pad) : end;
        }
        if (!end.isAfter(start)) {
            end = start.plusSeconds(1);
        }
        // late by the definition: some event recorded in an earlier millisecond is valid later (first change each)
        Map<String, HistoryChange> firsts = new LinkedHashMap<>();
        read.forEach(change -> firsts.putIfAbsent(change.event().eventId(), change));
        Map<String, Boolean> late = new HashMap<>();
        for (HistoryChange e : firsts.values()) {
            boolean isLate = false;
            for (HistoryChange f : firsts.values()) {
                isLate |= recordedMillis(f) < recordedMillis(e)
                        && f.version().timestamp().isAfter(e.version().timestamp());
            }
            late.put(e.event().eventId(), isLate);
        }
        double span = Math.max(1, end.toEpochMilli() - start.toEpochMilli());
        Map<String, NaiveMark> marks = new LinkedHashMap<>();
        LinkedHashSet<String> sources = new LinkedHashSet<>();
        LinkedHashSet<String> channels = new LinkedHashSet<>();
        for (HistoryChange change : shown) {
            long bucket =
                    Math.round((change.version().timestamp().toEpochMilli() - start.toEpochMilli()) / span * buckets);
            NaiveMark mark = marks.computeIfAbsent(change.attribute() + "|" + bucket, key -> new NaiveMark());
            mark.changes.add(change);
            mark.sources.add(change.event().sourceSystem());
            mark.late |= late.get(change.event().eventId());
            sources.add(change.event().sourceSystem());
            if (change.attribute() != null) {
                String channel = change.event().metadata().channel();
                channels.add(channel == null ? null : channel.toLowerCase(java.util.Locale.ROOT));
            }
        }
        return new Naive(start, end, shown.size(), marks, new ArrayList<>(sources), new ArrayList<>(channels));
    }

    private static long recordedMillis(HistoryChange change) {
        return Hlc.physicalMillis(change.version().recordedAt());
    }

    // ---- seeded timelines ------------------------------------------------------------------------------------

    private static final String[] ATTRIBUTES = {"email", "phone", "tier", "address.city"};
    private static final String[] SOURCES = {"genesys_cloud_cx", "nice_cxone", "crm", null};
    private static final String[] CHANNELS = {"voice", "Chat", "EMAIL", null, "web"};

    /** A timeline in the total order of changes; valid times clustered, recordings out of order now and then. */
    private static List<HistoryChange> timeline(Random random, int events) {
        List<HistoryChange> changes = new ArrayList<>();
        Instant valid = START;
        for (int i = 0; i < events; i++) {
            valid = valid.plusMillis(
                    random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(random.nextBoolean() ? 5 : 600_000));
            // mostly recorded in valid-time order, the events of each 10 s in one millisecond (which do not make
            // each other late); now and then days later, so late (the events valid in between were recorded first)
            Instant recorded = random.nextInt(30) == 0
                    ? valid.plusSeconds(1 + random.nextInt(86_400 * 3))
                    : Instant.ofEpochSecond(valid.getEpochSecond() / 10 * 10 + 10);
            String id = "e" + i;
            String source = SOURCES[random.nextInt(SOURCES.length)];
            if (random.nextInt(60) == 0) {
                source = "source_" + random.nextInt(40);
            }
            String channel = CHANNELS[random.nextInt(CHANNELS.length)];
            int kind = random.nextInt(40);
            if (kind == 0) {
                changes.add(identityEvent(id, valid, recorded, random.nextBoolean(), source));
            } else {
                int entries = kind == 1 ? 2 + random.nextInt(4) : 1;
                for (int entry = 0; entry < entries; entry++) {
                    changes.add(change(
                            id,
                            valid,
                            recorded,
                            ATTRIBUTES[random.nextInt(ATTRIBUTES.length)],
                            source,
                            channel,
                            entry));
                }
            }
        }
        changes.sort(Comparator.comparing(HistoryChange::version));
        return changes;
    }

    private static HistoryChange change(
            String id, Instant valid, Instant recorded, String attribute, String source, String channel) {
        return change(id, valid, recorded, attribute, source, channel, 0);
    }

    private static HistoryChange change(
            String id, Instant valid, Instant recorded, String attribute, String source, String channel, int index) {
        EventEnvelope event = new EventEnvelope(
                id,
                valid,
                "cust_1",
                source,
                new EventMetadata(channel, "i_" + id, null),
                new AttributeChanged(attribute, null, new AttributeValue.Text("v" + id), "agent_update"),
                EventEnvelope.SCHEMA_VERSION);
        return new HistoryChange(
                event,
                new Version(valid, Hlc.encode(recorded.toEpochMilli(), index), id, index),
                attribute,
                AttributeValue.NULL,
                new AttributeValue.Text("v" + id),
                null,
                "agent_update",
                null,
                null,
                false);
    }

    private static HistoryChange identityEvent(
            String id, Instant valid, Instant recorded, boolean merge, String source) {
        EventEnvelope event = new EventEnvelope(
                id,
                valid,
                "cust_1",
                source,
                EventMetadata.EMPTY,
                merge
                        ? new ProfileMerged("cust_1", "cust_2", "same caller", "agent_1", null)
                        : new ProfileErased("gdpr"),
                EventEnvelope.SCHEMA_VERSION);
        return new HistoryChange(
                event,
                new Version(valid, Hlc.encode(recorded.toEpochMilli(), 0), id, 0),
                null,
                null,
                null,
                null,
                merge ? "same caller" : "gdpr",
                merge ? "cust_2" : null,
                merge ? "cust_1" : null,
                false);
    }
}
