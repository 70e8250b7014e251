package dev.asof.reconstruction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Timestamps;
import dev.asof.reconstruction.snapshot.LogPageWriter;
import dev.asof.reconstruction.snapshot.SnapshotWriter;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Randomized differential test of the timeline across merges, over real dynalite and real HTTP: for random families
 * with merges, unmerges, chains, cycles, erasures, late arrivals and snapshots ({@link RandomFamilies}), the paged
 * {@code GET .../history} of every identity (random {@code attribute}, {@code from}, {@code to}, {@code known_at}
 * and {@code limit}, walked with the cursor) must equal {@link NaiveHistory}, computed from the whole log. The oracle
 * itself is checked against the profile read's definition ({@link NaiveProfiles}): replaying a whole timeline's new
 * values up to its first erasure gives, at every valid time it reaches, the profile of the identity at that time.
 *
 * <p>The run is fixed by a printed seed: {@code ./mvnw -o -pl reconstruction-service -am verify
 * -Dit.test=HistoryDifferentialIT -Dasof.seed=42}; more families: {@code -Dasof.history.families=40}.
 */
class HistoryDifferentialIT extends ReconstructionIT {

    static final long DEFAULT_SEED = 20261130_1605L;

    static final int DEFAULT_FAMILIES = 8;

    private static final String[] KEYS = {"name", "email", "tier", "consent.marketing", "phone", "preferred_language"};

    @Autowired
    SnapshotWriter snapshotWriter;

    @Autowired
    LogPageWriter pageWriter;

    @Autowired
    dev.asof.privacy.SubjectKeys keys;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    int questions;
    int marksAsked;
    int pages;
    int listed;
    int merged;
    int replayed;
    int shreddedValues;
    int askedAfterShredding;
    final List<String> failures = new ArrayList<>();

    @Test
    void pagedTimelinesAcrossMergesEqualTheNaiveOracle() {
        long seed = Long.getLong("asof.seed", DEFAULT_SEED);
        int families = Integer.getInteger("asof.history.families", DEFAULT_FAMILIES);
        System.out.println("HistoryDifferentialIT seed=" + seed + " families=" + families);
        SplittableRandom seeds = new SplittableRandom(seed);
        List<Long> failing = new ArrayList<>();
        double fromMemoryBefore = logScansFromMemory();
        double pagesBefore = pagesRead();
        double rangesBefore = meters.counter("asof.reconstruction.marks.ranges").count();
        for (int f = 0; f < families; f++) {
            long familySeed = seeds.nextLong();
            int before = failures.size();
            family(familySeed);
            if (failures.size() > before) {
                failing.add(familySeed);
            }
        }
        long fromMemory = Math.round(logScansFromMemory() - fromMemoryBefore);
        String summary = String.format(
                "HistoryDifferentialIT seed=%d: %d families, %d questions, %d pages, %d changes listed (%d from"
                        + " merged members or merges), %d timelines replayed against the profile, %d questions"
                        + " after a member's key was destroyed (%d events gone), %d log scans answered from memory, %d"
                        + " history/marks questions",
                seed,
                families,
                questions,
                pages,
                listed,
                merged,
                replayed,
                askedAfterShredding,
                shreddedValues,
                fromMemory,
                marksAsked);
        System.out.println(summary);
        assertThat(failures)
                .as("%s%nfailing family seeds %s; rerun with -Dasof.seed=%d", summary, failing, seed)
                .isEmpty();
        assertThat(merged).as("the families must exercise merges").isPositive();
        assertThat(marksAsked).as("history/marks must be asked").isPositive();
        assertThat(meters.counter("asof.reconstruction.marks.ranges").count() - rangesBefore)
                .as("history/marks must read timelines in ranges too")
                .isPositive();
        assertThat(shreddedValues)
                .as("the families must exercise destroyed keys")
                .isPositive();
        assertThat(fromMemory)
                .as("pages must be answered from the stretches of the log kept in memory too")
                .isPositive();
        assertThat(pagesRead() - pagesBefore)
                .as("timelines must be read from packed log pages too")
                .isPositive();
    }

    /** Packed log pages read for timelines (PagedLog), so far. */
    private double pagesRead() {
        return meters.counter("asof.reconstruction.log_pages.read").count();
    }

    /** Scans of one identity's log that were answered from memory (LogSegments), so far. */
    private double logScansFromMemory() {
        return meters.counter("asof.reconstruction.log_segments", "result", "hit")
                .count();
    }

    private void family(long familySeed) {
        String prefix = "hist" + UUID.randomUUID().toString().substring(0, 8);
        Random random = new Random(familySeed ^ 0x5DEECE66DL);
        RandomFamilies.Family family = RandomFamilies.generate(familySeed, prefix, 30 + random.nextInt(60), false);
        // which events went in encrypted: once their identity's key is destroyed, their values are gone
        Set<String> encrypted = new HashSet<>();
        java.util.function.UnaryOperator<EventEnvelope> intake = mixedEncryption(familySeed);
        LogFixture log = new LogFixture(eventLog, views, identityLinks, event -> {
            EventEnvelope stored = intake.apply(event);
            if (stored != event) {
                encrypted.add(event.eventId());
            }
            return stored;
        });
        int split = family.arrivals().size() * 3 / 4;
        logArrivals(family, log, 0, split, random);
        // views may lag the log here: each identity's timeline is cut to what its view has folded
        for (int q = 0; q < 6; q++) {
            ask(familySeed, family, log, random, Set.of(), null);
        }
        logArrivals(family, log, split, family.arrivals().size(), random);
        log.flush();
        for (String identity : family.identities()) {
            replay(familySeed, identity, log.folded());
        }
        for (int q = 0; q < 12; q++) {
            ask(familySeed, family, log, random, Set.of(), null);
        }
        // crypto-shredding: one identity's key destroyed (erased alone, possibly long after an unmerge, so no erasure
        // event tells the fold); every other timeline hides what it set and lists the rest exactly as before
        if (family.identities().size() > 1) {
            String shredded =
                    family.identities().get(random.nextInt(family.identities().size()));
            keys.destroy(shredded);
            Set<String> gone = new HashSet<>();
            for (RecordedEvent e : log.logged()) {
                if (e.event().customerId().equals(shredded)
                        && encrypted.contains(e.event().eventId())) {
                    gone.add(e.event().eventId());
                }
            }
            shreddedValues += gone.size();
            for (int q = 0; q < 8; q++) {
                ask(familySeed, family, log, random, gone, shredded);
            }
        }
    }

    private void logArrivals(RandomFamilies.Family family, LogFixture log, int from, int to, Random random) {
        for (RandomFamilies.Arrival arrival : family.arrivals().subList(from, to)) {
            log.append(arrival.event(), arrival.arrivalMillis());
            if (random.nextInt(3) == 0) {
                log.flush();
            }
            if (random.nextInt(10) == 0) {
                // the pages start from snapshots where they help
                snapshotWriter.snapshot(family.identities()
                        .get(random.nextInt(family.identities().size())));
            }
            if (random.nextInt(8) == 0) {
                // and from packed pages of the log, late arrivals joined to them
                pageWriter.extend(family.identities()
                        .get(random.nextInt(family.identities().size())));
            }
        }
    }

    /** One random question, walked page by page, compared with the oracle. */
    private void ask(
            long familySeed,
            RandomFamilies.Family family,
            LogFixture log,
            Random random,
            Set<String> gone,
            String shredded) {
        questions++;
        List<RecordedEvent> logged = log.logged();
        List<String> askable = family.identities().stream()
                .filter(identity -> !identity.equals(shredded))
                .toList();
        String identity = askable.get(random.nextInt(askable.size()));
        String attribute = random.nextInt(3) == 0 ? KEYS[random.nextInt(KEYS.length)] : null;
        Instant from = random.nextInt(3) == 0 ? someTime(logged, random) : null;
        Instant to = random.nextInt(3) == 0 ? someTime(logged, random) : null;
        if (from != null && to != null && from.isAfter(to)) {
            Instant swap = from;
            from = to;
            to = swap;
        }
        Instant knownAt = random.nextInt(3) == 0
                ? Hlc.toInstant(logged.get(random.nextInt(logged.size())).recordedAt())
                : null;
        int limit = 1 + random.nextInt(7);
        StringBuilder query = new StringBuilder("?limit=" + limit);
        if (attribute != null) {
            query.append("&attribute=").append(attribute);
        }
        times(query, from, to, knownAt);
        String question = identity + "/history" + query;

        List<String> walked = new ArrayList<>();
        String cursor = null;
        Instant pinned = null;
        int walkedPages = 0;
        do {
            HttpResponse<String> response = get("/api/v1/customers/" + question
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            if (response.statusCode() != 200) {
                failures.add("family seed " + familySeed + ": " + question + " -> " + response.statusCode() + " "
                        + response.body());
                return;
            }
            JsonNode page = json.readTree(response.body());
            pinned = Timestamps.parse(page.at("/known_at").asString()).orElseThrow();
            if (page.at("/changes").size() > limit) {
                failures.add("family seed " + familySeed + ": " + question + ": a page over the limit");
                return;
            }
            for (JsonNode change : page.get("changes")) {
                walked.add(render(change));
                if (!change.get("member_customer_id").asString().equals(identity)
                        || change.get("event_type").asString().contains("MERGE")) {
                    merged++;
                }
            }
            cursor = page.at("/next_cursor").isNull()
                    ? null
                    : page.at("/next_cursor").asString();
            walkedPages++;
            pages++;
        } while (cursor != null && walkedPages < 500);
        listed += walked.size();

        if (shredded != null) {
            askedAfterShredding++;
        }
        List<String> expected = NaiveHistory.expect(log.folded(), identity, attribute, from, to, pinned, gone).stream()
                .map(NaiveHistory.Change::rendered)
                .toList();
        if (!walked.equals(expected)) {
            failures.add("family seed " + familySeed + ": " + question + " (known_at " + pinned + ")\n  expected:\n    "
                    + String.join("\n    ", expected) + "\n  walked:\n    " + String.join("\n    ", walked));
        }
        if (attribute == null) {
            marks(familySeed, identity, from, to, knownAt, log, random, gone);
        }
    }

    /** Adds the times asked ({@code null}: not asked) to a query. */
    private static void times(StringBuilder query, Instant from, Instant to, Instant knownAt) {
        if (from != null) {
            query.append("&from=").append(Timestamps.format(from));
        }
        if (to != null) {
            query.append("&to=").append(Timestamps.format(to));
        }
        if (knownAt != null) {
            query.append("&known_at=").append(Timestamps.format(knownAt));
        }
    }

    /**
     * The same question to {@code history/marks} ({@code to} exclusive there), compared with a naive summary of the
     * oracle's timeline from {@code from} to its end: each change in its lane and bucket by the definition, late by
     * the definition (an event recorded in an earlier millisecond is valid after it), counted one by one.
     */
    private void marks(
            long familySeed,
            String identity,
            Instant from,
            Instant to,
            Instant knownAt,
            LogFixture log,
            Random random,
            Set<String> gone) {
        if (from != null && to != null && !from.isBefore(to)) {
            to = null;
        }
        int buckets = 1 + random.nextInt(random.nextBoolean() ? 8 : 200);
        // a third of the questions read at most a few changes: the answer is the timeline's beginning, cut short
        Integer maxChanges = random.nextInt(3) == 0 ? 1 + random.nextInt(40) : null;
        StringBuilder query = new StringBuilder("?buckets=" + buckets);
        if (maxChanges != null) {
            query.append("&max_changes=").append(maxChanges);
        }
        times(query, from, to, knownAt);
        String question = identity + "/history/marks" + query;
        HttpResponse<String> response = get("/api/v1/customers/" + question);
        marksAsked++;
        if (response.statusCode() != 200) {
            failures.add("family seed " + familySeed + ": " + question + " -> " + response.statusCode() + " "
                    + response.body());
            return;
        }
        JsonNode answer = json.readTree(response.body());
        Instant pinned = Timestamps.parse(answer.at("/known_at").asString()).orElseThrow();
        List<NaiveHistory.Change> whole = NaiveHistory.expect(log.folded(), identity, null, from, null, pinned, gone);
        boolean truncated = maxChanges != null && whole.size() > maxChanges;
        List<NaiveHistory.Change> read = truncated ? whole.subList(0, maxChanges) : whole;
        Map<String, EventEnvelope> events = new HashMap<>();
        log.folded().forEach(e -> events.put(e.event().eventId(), e.event()));
        // the window: as asked, or the changes read padded by a fortieth of their span (at least a second)
        long start;
        long end;
        if (read.isEmpty()) {
            start = Timestamps.parse(answer.at("/from").asString())
                    .orElseThrow()
                    .toEpochMilli();
            end = Timestamps.parse(answer.at("/to").asString()).orElseThrow().toEpochMilli();
        } else {
            long min = read.get(0).version().timestamp().toEpochMilli();
            long max = read.get(read.size() - 1).version().timestamp().toEpochMilli();
            long pad = Math.max(1000, (max - min) / 40);
            start = from == null ? min - pad : from.toEpochMilli();
            end = to == null ? max + pad : to.toEpochMilli();
            // a window that would end before it starts (every change read after `to`) is a second long
            end = end <= start ? start + 1000 : end;
        }
        Map<String, NaiveHistory.Change> firsts = new HashMap<>();
        read.forEach(change -> firsts.putIfAbsent(change.version().eventId(), change));
        Map<String, List<NaiveHistory.Change>> buckets0 = new java.util.LinkedHashMap<>();
        Map<String, Boolean> late = new HashMap<>();
        double span = Math.max(1, end - start);
        int shown = 0;
        for (NaiveHistory.Change change : read) {
            long valid = change.version().timestamp().toEpochMilli();
            if (to != null && valid >= to.toEpochMilli()) {
                continue;
            }
            shown++;
            String key = change.attribute() + "|" + Math.round((valid - start) / span * buckets);
            buckets0.computeIfAbsent(key, k -> new ArrayList<>()).add(change);
            late.merge(
                    key,
                    firsts.values().stream()
                            .anyMatch(f -> Hlc.physicalMillis(f.version().recordedAt())
                                            < Hlc.physicalMillis(
                                                    change.version().recordedAt())
                                    && f.version()
                                            .timestamp()
                                            .isAfter(change.version().timestamp())),
                    Boolean::logicalOr);
        }
        // cut short: stopped before the window's end; read_to: the last change in the window read
        Instant lastRead =
                read.isEmpty() ? null : read.get(read.size() - 1).version().timestamp();
        boolean cutShort = truncated && (to == null || lastRead.isBefore(to));
        Instant lastShown = null;
        List<String> sourcesMet = new ArrayList<>();
        List<String> channelsMet = new ArrayList<>();
        for (NaiveHistory.Change change : read) {
            if (to == null || change.version().timestamp().isBefore(to)) {
                lastShown = change.version().timestamp();
                EventEnvelope event = events.get(change.version().eventId());
                if (!sourcesMet.contains(event.sourceSystem())) {
                    sourcesMet.add(event.sourceSystem());
                }
                String channel = event.metadata().channel() == null
                        ? null
                        : event.metadata().channel().toLowerCase(java.util.Locale.ROOT);
                if (change.attribute() != null && !channelsMet.contains(channel)) {
                    channelsMet.add(channel);
                }
            }
        }
        String readTo = cutShort && lastShown != null ? Timestamps.format(lastShown) : null;
        List<String> expected = new ArrayList<>();
        expected.add("read " + read.size() + ", cut short " + cutShort + " at " + readTo + ", sources " + sourcesMet
                + ", channels " + channelsMet);
        buckets0.forEach((key, changes) -> {
            Instant first = changes.get(0).version().timestamp();
            Instant last = changes.get(changes.size() - 1).version().timestamp();
            double offsets = 0;
            List<String> sources = new ArrayList<>();
            for (NaiveHistory.Change change : changes) {
                offsets += change.version().timestamp().toEpochMilli() - start;
                String source = events.get(change.version().eventId()).sourceSystem();
                if (!sources.contains(source)) {
                    sources.add(source);
                }
            }
            List<String> listed = changes.size() == 1 || first.equals(last)
                    ? changes.stream()
                            .limit(10)
                            .map(change -> change.version().eventId())
                            .toList()
                    : List.of();
            expected.add(String.join(
                    " ",
                    key,
                    Integer.toString(changes.size()),
                    Timestamps.format(first),
                    Timestamps.format(last),
                    String.format(java.util.Locale.ROOT, "%.3f", offsets / changes.size()),
                    Boolean.toString(late.get(key)),
                    sources.toString(),
                    listed.toString()));
        });
        List<String> answered = new ArrayList<>();
        List<String> sourcesAnswered = new ArrayList<>();
        answer.get("sources").forEach(source -> sourcesAnswered.add(source.isNull() ? null : source.asString()));
        List<String> channelsAnswered = new ArrayList<>();
        answer.get("channels").forEach(channel -> channelsAnswered.add(channel.isNull() ? null : channel.asString()));
        answered.add("read " + answer.get("read").asInt() + ", cut short "
                + answer.get("cut_short").asBoolean()
                + " at "
                + (answer.get("read_to").isNull() ? null : answer.get("read_to").asString()) + ", sources "
                + sourcesAnswered + ", channels " + channelsAnswered);
        for (JsonNode mark : answer.get("marks")) {
            List<String> sources = new ArrayList<>();
            mark.get("sources").forEach(source -> sources.add(source.isNull() ? null : source.asString()));
            List<String> listed = new ArrayList<>();
            mark.get("changes")
                    .forEach(change -> listed.add(change.get("event_id").asString()));
            answered.add(String.join(
                    " ",
                    (mark.get("attribute").isNull()
                                    ? null
                                    : mark.get("attribute").asString()) + "|"
                            + mark.get("bucket").asLong(),
                    Integer.toString(mark.get("count").asInt()),
                    mark.get("first_at").asString(),
                    mark.get("last_at").asString(),
                    String.format(
                            java.util.Locale.ROOT,
                            "%.3f",
                            mark.get("mean_offset_ms").asDouble()),
                    Boolean.toString(mark.get("late").asBoolean()),
                    sources.toString(),
                    listed.toString()));
        }
        boolean window = read.isEmpty()
                || (answer.at("/from").asString().equals(Timestamps.format(Instant.ofEpochMilli(start)))
                        && answer.at("/to").asString().equals(Timestamps.format(Instant.ofEpochMilli(end))));
        if (!answered.equals(expected) || answer.at("/changes").asInt() != shown || !window) {
            failures.add("family seed " + familySeed + ": " + question + " (known_at " + pinned + ", window "
                    + start + ".." + end + ", " + shown + " changes)\n  expected:\n    "
                    + String.join("\n    ", expected) + "\n  answered (" + answer.at("/changes") + " changes, "
                    + answer.at("/from") + ".." + answer.at("/to") + "):\n    " + String.join("\n    ", answered));
        }
    }

    /**
     * The oracle against the profile's definition: the new values of a whole timeline, replayed in order up to its
     * first erasure, give the identity's profile (by {@link NaiveProfiles}, or its own fold while it is merged into
     * another) at every valid time where the timeline has a change.
     */
    private void replay(long familySeed, String identity, List<RecordedEvent> folded) {
        Instant now = Instant.now();
        List<NaiveHistory.Change> timeline = NaiveHistory.expect(folded, identity, null, null, null, now);
        Map<String, AttributeValue> values = new HashMap<>();
        for (int i = 0; i < timeline.size(); i++) {
            NaiveHistory.Change change = timeline.get(i);
            if (change.erasure()) {
                return;
            }
            if (change.attribute() != null) {
                values.put(change.attribute(), change.rawNew());
            }
            Instant at = change.version().timestamp();
            boolean lastAtThisTime = i + 1 == timeline.size()
                    || !timeline.get(i + 1).version().timestamp().equals(at);
            if (!lastAtThisTime) {
                continue;
            }
            // changes of identities outside the timeline can still land at this time: compare once all are in
            NaiveProfiles.Expected profile = NaiveProfiles.expect(folded, identity, at, now);
            Map<String, AttributeValue> shown = new HashMap<>();
            if (profile.resolved().equals(identity)) {
                profile.attributes().forEach((key, version) -> shown.put(key, version.value()));
            } else {
                IdentityState own = ProfileFold.foldAt(identity, ownEvents(folded, identity), at, now);
                own.visibleAttributes().forEach((key, version) -> shown.put(key, version.value()));
            }
            Map<String, AttributeValue> present = new HashMap<>();
            values.forEach((key, value) -> {
                if (!(value instanceof AttributeValue.Null)) {
                    present.put(key, value);
                }
            });
            if (!present.equals(shown)) {
                failures.add("family seed " + familySeed + ": replaying the oracle's timeline of " + identity
                        + " up to " + at + " gives " + new TreeSet<>(present.entrySet()) + ", the profile is "
                        + new TreeSet<>(shown.entrySet()));
                return;
            }
        }
        replayed++;
    }

    private static List<RecordedEvent> ownEvents(List<RecordedEvent> folded, String identity) {
        return folded.stream()
                .filter(e -> e.event().customerId().equals(identity))
                .toList();
    }

    private static Instant someTime(List<RecordedEvent> logged, Random random) {
        Instant at = logged.get(random.nextInt(logged.size())).event().timestampUtc();
        return random.nextBoolean() ? at : at.plusMillis(random.nextInt(2_000) - 1_000);
    }

    /** A change of the API's answer in the oracle's rendering. */
    private static String render(JsonNode change) {
        return String.join(
                " ",
                change.get("event_id").asString(),
                change.get("event_type").asString(),
                "member=" + change.get("member_customer_id").asString(),
                "attr=" + text(change.get("attribute")),
                "old=" + value(change.get("old_value")),
                "new=" + value(change.get("new_value")),
                "claimed=" + value(change.get("claimed_previous_value")),
                "at=" + change.get("changed_at").asString(),
                "recorded=" + change.get("recorded_at").asString(),
                "reason=" + text(change.get("reason")),
                "from=" + text(change.get("merged_from")),
                "into=" + text(change.get("merged_into")),
                "redacted=" + change.get("redacted").asBoolean());
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? "null" : node.asString();
    }

    private static String value(JsonNode node) {
        return node == null || node.isNull() ? "null" : EventJson.mapper().writeValueAsString(node);
    }
}
