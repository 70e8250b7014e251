package dev.asof.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random histories whose merges and unmerges come from {@link ProfileDecider}: attribute changes, bulk
 * updates and erasures interleaved with merge and unmerge commands on few identities (so chains, refusals and
 * retroactive decisions are common), some of them self-merges, some naming an identity without events, some
 * effective in the past or the future. Every event is recorded by a monotonic clock, as the log writer would, and
 * now and then delivered twice.
 *
 * <p>Each decision is checked on the spot against {@link #expectedRefusal}, the rules written out again without
 * {@link ProfileFold}, {@link ProfileResolver} or {@link KnownIdentities}; a refused command appends nothing, and an
 * accepted one must leave the merged identity linked as commanded.
 */
final class DecidedHistories {

    static final String GHOST = "cust_ghost";

    /** The evidence every decided command carries: it must reach the event and survive the wire unchanged. */
    static final String EVIDENCE = "{\"score\":11.27,\"fields\":[{\"field\":\"email\",\"weight\":8.91}]}";

    private DecidedHistories() {}

    /** What a generated history holds besides its events. */
    static final class Tally {
        int commands;
        int mergesAccepted;
        int unmergesAccepted;
        final Map<RefusalKind, Integer> refused = new EnumMap<>(RefusalKind.class);
        final List<String> problems = new ArrayList<>();

        @Override
        public String toString() {
            return String.format(
                    "%d commands: %d merges and %d unmerges accepted, refused %s",
                    commands, mergesAccepted, unmergesAccepted, refused);
        }
    }

    /** One history; decisions that break a rule are added to {@code tally.problems}. */
    static List<RecordedEvent> history(long seed, Tally tally) {
        Random random = new Random(seed);
        List<String> identities = RandomHistories.identities(random);
        int keyCount = 1 + random.nextInt(4);
        int steps = 5 + random.nextInt(random.nextInt(4) == 0 ? 60 : 30);
        List<RecordedEvent> events = new ArrayList<>();
        long clock = Hlc.encode(RandomHistories.BASE.toEpochMilli(), 0);
        for (String identity : identities) {
            if (random.nextInt(4) > 0) { // most identities have some history before the first command
                clock = Hlc.next(clock, Hlc.physicalMillis(clock) + random.nextInt(500));
                events.add(new RecordedEvent(
                        new EventEnvelope(
                                "evt-" + identity,
                                RandomHistories.BASE.plusMillis(random.nextInt(RandomHistories.SPAN_SECONDS * 1000)),
                                identity,
                                "nice_cxone",
                                EventMetadata.EMPTY,
                                RandomHistories.change(keyCount, random),
                                EventEnvelope.SCHEMA_VERSION),
                        clock));
            }
        }
        for (int n = 0; n < steps; n++) {
            clock = Hlc.next(clock, Hlc.physicalMillis(clock) + random.nextInt(1500));
            Instant now = Hlc.toInstant(clock);
            if (!events.isEmpty() && random.nextInt(25) == 0) {
                events.add(events.get(random.nextInt(events.size()))); // a consumer replay
                continue;
            }
            if (random.nextInt(100) < 45) {
                String customer = identities.get(random.nextInt(identities.size()));
                Instant timestamp = !events.isEmpty() && random.nextInt(6) == 0
                        ? events.get(random.nextInt(events.size())).event().timestampUtc()
                        : RandomHistories.BASE.plusMillis(random.nextInt(RandomHistories.SPAN_SECONDS * 1000));
                events.add(new RecordedEvent(
                        new EventEnvelope(
                                "evt-" + n,
                                timestamp,
                                customer,
                                "genesys_cloud_cx",
                                EventMetadata.EMPTY,
                                RandomHistories.change(keyCount, random),
                                EventEnvelope.SCHEMA_VERSION),
                        clock));
                continue;
            }
            decide(n, identities, events, clock, now, random, tally, seed);
        }
        return events;
    }

    private static void decide(
            int n,
            List<String> identities,
            List<RecordedEvent> events,
            long clock,
            Instant now,
            Random random,
            Tally tally,
            long seed) {
        tally.commands++;
        Instant effectiveAt = random.nextInt(3) == 0
                ? RandomHistories.BASE.plusMillis(random.nextInt(RandomHistories.SPAN_SECONDS * 1000))
                : now;
        boolean merge = random.nextInt(100) < 60;
        String a = pick(identities, random);
        String b = a;
        if (random.nextInt(15) > 0) {
            do {
                b = pick(identities, random);
            } while (b.equals(a));
        }
        if (!merge && random.nextBoolean()) {
            // mostly unmerge something that is merged, so accepted unmerges are common
            for (String identity : identities) {
                NaiveLink link = naiveLink(identity, events, effectiveAt);
                if (link != null && link.active) {
                    a = identity;
                    b = link.into;
                    break;
                }
            }
        }
        String eventId = "cmd-" + n;
        Decision decision = merge
                ? ProfileDecider.decide(
                        new MergeProfiles(eventId, b, a, effectiveAt, "random", "differential", EVIDENCE),
                        KnownIdentities.at(effectiveAt, events))
                : ProfileDecider.decide(
                        new UnmergeProfiles(eventId, b, a, effectiveAt, "random", "differential", EVIDENCE),
                        KnownIdentities.at(effectiveAt, events));
        RefusalKind expected = expectedRefusal(merge, a, b, events, effectiveAt);
        String command = (merge ? "merge " : "unmerge ") + a + " into " + b + " at " + effectiveAt;
        if (decision instanceof Decision.Refused refused) {
            tally.refused.merge(refused.kind(), 1, Integer::sum);
            if (refused.kind() != expected) {
                tally.problems.add(
                        "seed " + seed + ": " + command + " refused as " + refused + ", expected " + expected);
            }
            return;
        }
        List<EventEnvelope> decided = ((Decision.Accepted) decision).events();
        if (expected != null) {
            tally.problems.add("seed " + seed + ": " + command + " accepted, expected " + expected);
        }
        ProfileEvent payload = merge
                ? new ProfileMerged(b, a, "random", "differential", EVIDENCE)
                : new ProfileUnmerged(b, a, "random", "differential", EVIDENCE);
        if (decided.size() != 1
                || !decided.get(0).payload().equals(payload)
                || !decided.get(0).customerId().equals(a)
                || !decided.get(0).timestampUtc().equals(effectiveAt)) {
            tally.problems.add("seed " + seed + ": " + command + " decided " + decided);
        }
        // through the wire form, as the log holds it
        decided.forEach(event -> events.add(new RecordedEvent(EventJson.decode(EventJson.encode(event)), clock)));
        if (merge) {
            tally.mergesAccepted++;
        } else {
            tally.unmergesAccepted++;
        }
        // the decided link holds at its effective time, whatever else the log says
        NaiveLink after = naiveLink(a, events, effectiveAt);
        if (after == null || after.active != merge || !after.into.equals(b)) {
            tally.problems.add("seed " + seed + ": after " + command + " the link of " + a + " is " + after);
        }
    }

    private static String pick(List<String> identities, Random random) {
        return random.nextInt(20) == 0 ? GHOST : identities.get(random.nextInt(identities.size()));
    }

    /** The rules, from the log itself: which refusal a command must get; {@code null} if it must be accepted. */
    static RefusalKind expectedRefusal(
            boolean merge, String a, String b, List<RecordedEvent> events, Instant effectiveAt) {
        if (a.equals(b)) {
            return RefusalKind.SELF_MERGE;
        }
        for (String identity : List.of(a, b)) {
            if (events.stream().noneMatch(e -> e.event().customerId().equals(identity))) {
                return RefusalKind.PROFILE_NOT_FOUND;
            }
        }
        NaiveLink link = naiveLink(a, events, effectiveAt);
        if (!merge) {
            return link != null && link.active && link.into.equals(b) ? null : RefusalKind.NOT_MERGED;
        }
        if (link != null && link.active) {
            return RefusalKind.ALREADY_MERGED;
        }
        Set<String> passed = new HashSet<>();
        String current = b;
        while (current != null && passed.add(current)) {
            if (current.equals(a)) {
                return RefusalKind.MERGE_CYCLE;
            }
            NaiveLink next = naiveLink(current, events, effectiveAt);
            current = next != null && next.active ? next.into : null;
        }
        return null;
    }

    /**
     * The latest merge or unmerge of {@code identity} valid at {@code at}: by valid time, recorded_at, event_id; a
     * merge followed by an erasure of the identity is over (inactive).
     */
    private static NaiveLink naiveLink(String identity, List<RecordedEvent> events, Instant at) {
        RecordedEvent latest = null;
        RecordedEvent latestErasure = null;
        for (RecordedEvent event : events) {
            EventEnvelope envelope = event.event();
            if (!envelope.customerId().equals(identity)
                    || envelope.timestampUtc().isAfter(at)) {
                continue;
            }
            if (envelope.payload() instanceof ProfileErased) {
                if (latestErasure == null || later(event, latestErasure)) {
                    latestErasure = event;
                }
                continue;
            }
            boolean isLink =
                    envelope.payload() instanceof ProfileMerged || envelope.payload() instanceof ProfileUnmerged;
            if (isLink && (latest == null || later(event, latest))) {
                latest = event;
            }
        }
        if (latest == null) {
            return null;
        }
        boolean ended = latestErasure != null && later(latestErasure, latest);
        return latest.event().payload() instanceof ProfileMerged merged
                ? new NaiveLink(merged.mergedInto(), !ended)
                : new NaiveLink(((ProfileUnmerged) latest.event().payload()).mergedInto(), false);
    }

    private static boolean later(RecordedEvent x, RecordedEvent y) {
        int byTime = x.event().timestampUtc().compareTo(y.event().timestampUtc());
        if (byTime != 0) {
            return byTime > 0;
        }
        if (x.recordedAt() != y.recordedAt()) {
            return x.recordedAt() > y.recordedAt();
        }
        return x.event().eventId().compareTo(y.event().eventId()) > 0;
    }

    private record NaiveLink(String into, boolean active) {}
}
