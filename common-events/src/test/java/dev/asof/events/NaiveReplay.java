package dev.asof.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The test oracle: the profile straight from the definition, as slowly and plainly as possible. Filter the whole
 * log by valid and system time, sort every change by the total order, and apply the changes one by one to mutable
 * per-identity maps; then break link cycles, resolve, and combine the members. Written without {@link ProfileFold},
 * {@link ProfileResolver} or {@link Version#compareTo}, so the optimized path is checked against something else.
 */
final class NaiveReplay {

    private NaiveReplay() {}

    /** The profile of {@code customerId} at valid time {@code validAt} as known at {@code knownAt}. */
    static Profile replay(List<RecordedEvent> allEvents, String customerId, Instant validAt, Instant knownAt) {
        long recordedBound = Hlc.upperBound(knownAt);

        // 1. filter, and flatten bulk updates into one step per entry
        List<Step> steps = new ArrayList<>();
        for (RecordedEvent recorded : allEvents) {
            EventEnvelope event = recorded.event();
            if (event.timestampUtc().isAfter(validAt) || recorded.recordedAt() > recordedBound) {
                continue;
            }
            ProfileEvent payload = event.payload();
            if (payload instanceof BulkProfileUpdate bulk) {
                for (int i = 0; i < bulk.changes().size(); i++) {
                    BulkProfileUpdate.Change change = bulk.changes().get(i);
                    steps.add(new Step(recorded, i, change.attributeKey(), change.newValue()));
                }
            } else if (payload instanceof AttributeChanged change) {
                steps.add(new Step(recorded, 0, change.attributeKey(), change.newValue()));
            } else {
                steps.add(new Step(recorded, 0, null, null));
            }
        }

        // 2. sort by (timestamp_utc, recorded_at, event_id, index)
        steps.sort(Comparator.<Step, Instant>comparing(s -> s.recorded.event().timestampUtc())
                .thenComparingLong(s -> s.recorded.recordedAt())
                .thenComparing(s -> s.recorded.event().eventId())
                .thenComparingInt(s -> s.index));

        // 3. apply one by one
        Map<String, Map<String, AttributeVersion>> attributes = new HashMap<>();
        Map<String, NaiveLink> links = new HashMap<>();
        for (Step step : steps) {
            EventEnvelope event = step.recorded.event();
            String identity = event.customerId();
            Version version =
                    new Version(event.timestampUtc(), step.recorded.recordedAt(), event.eventId(), step.index);
            ProfileEvent payload = event.payload();
            Map<String, AttributeVersion> own = attributes.computeIfAbsent(identity, id -> new HashMap<>());
            if (step.key != null) {
                // removals are kept as tombstones: a member's later removal must hide another member's older value
                own.put(step.key, new AttributeVersion(step.key, step.value, version, event.sourceSystem()));
            } else if (payload instanceof ProfileErased) {
                own.clear();
                // an erasure ends the identity's merge: it is no longer merged into anything
                NaiveLink link = links.get(identity);
                if (link != null) {
                    links.put(identity, new NaiveLink(link.into, false, link.version));
                }
            } else if (payload instanceof ProfileMerged merged) {
                links.put(identity, new NaiveLink(merged.mergedInto(), true, version));
            } else if (payload instanceof ProfileUnmerged unmerged) {
                links.put(identity, new NaiveLink(unmerged.mergedInto(), false, version));
            } else {
                throw new IllegalStateException("oracle does not know " + payload.type());
            }
        }

        // 4. the active links, with the latest link of every cycle removed until no cycle is left
        Map<String, String> edges = new HashMap<>();
        links.forEach((from, link) -> {
            if (link.active) {
                edges.put(from, link.into);
            }
        });
        List<String> cycle;
        while ((cycle = anyCycle(edges)) != null) {
            String owner = null;
            for (String identity : cycle) {
                if (owner == null || later(links.get(identity).version, links.get(owner).version)) {
                    owner = identity;
                }
            }
            edges.remove(owner);
        }

        // 5. members: every identity whose chain of links ends where the customer's ends
        String root = rootOf(customerId, edges);
        Set<String> identities = new HashSet<>(attributes.keySet());
        identities.addAll(links.keySet());
        TreeSet<String> members = new TreeSet<>();
        members.add(root);
        for (String identity : identities) {
            if (rootOf(identity, edges).equals(root)) {
                members.add(identity);
            }
        }

        // 6. combine: replay the members' surviving versions in order into one map
        List<AttributeVersion> surviving = new ArrayList<>();
        for (String member : members) {
            surviving.addAll(attributes.getOrDefault(member, Map.of()).values());
        }
        surviving.sort((a, b) -> later(a.version(), b.version()) ? 1 : later(b.version(), a.version()) ? -1 : 0);
        Map<String, AttributeVersion> profile = new TreeMap<>();
        for (AttributeVersion version : surviving) {
            if (version.value() instanceof AttributeValue.Null) {
                profile.remove(version.key());
            } else {
                profile.put(version.key(), version);
            }
        }
        return new Profile(customerId, root, profile, new ArrayList<>(members));
    }

    /** The links that form a cycle, or {@code null}: walk from every identity until a repeat or a dead end. */
    private static List<String> anyCycle(Map<String, String> edges) {
        for (String start : new TreeSet<>(edges.keySet())) {
            LinkedHashMap<String, Boolean> walked = new LinkedHashMap<>();
            String current = start;
            while (current != null && !walked.containsKey(current)) {
                walked.put(current, true);
                current = edges.get(current);
            }
            if (current != null) {
                List<String> path = new ArrayList<>(walked.keySet());
                return new ArrayList<>(path.subList(path.indexOf(current), path.size()));
            }
        }
        return null;
    }

    private static String rootOf(String identity, Map<String, String> edges) {
        String current = identity;
        for (int hops = 0; edges.containsKey(current); hops++) {
            if (hops > edges.size()) {
                throw new IllegalStateException("cycle left in " + edges);
            }
            current = edges.get(current);
        }
        return current;
    }

    /** Whether {@code a} is after {@code b} in (timestamp, recorded_at, event_id, index). */
    private static boolean later(Version a, Version b) {
        int byTime = a.timestamp().compareTo(b.timestamp());
        if (byTime != 0) {
            return byTime > 0;
        }
        if (a.recordedAt() != b.recordedAt()) {
            return a.recordedAt() > b.recordedAt();
        }
        int byId = a.eventId().compareTo(b.eventId());
        if (byId != 0) {
            return byId > 0;
        }
        return a.index() > b.index();
    }

    private record Step(RecordedEvent recorded, int index, String key, AttributeValue value) {}

    private record NaiveLink(String into, boolean active, Version version) {}
}
