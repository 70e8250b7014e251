package dev.asof.reconstruction;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.AttributeVersion;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.EventEnvelope;
import dev.asof.events.Hlc;
import dev.asof.events.ProfileErased;
import dev.asof.events.ProfileEvent;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileUnmerged;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Version;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The oracle of the differential test: a profile straight from its definition, over the whole log of a family,
 * written without {@code ProfileFold}, {@code ProfileResolver}, {@code Version.compareTo}, snapshots, indexes or
 * caches. Filter every logged event by valid time and recorded bound, sort every change by (valid time,
 * recorded_at, event id, position in a bulk update), apply them one by one to mutable maps, drop the latest link of
 * every cycle, resolve, and combine the members.
 */
final class NaiveProfiles {

    private NaiveProfiles() {}

    /**
     * What the API must answer.
     *
     * @param found whether any member has an event at or before T known at K (otherwise 404)
     * @param resolved the identity the asked one resolves to
     * @param attributes the visible attributes with the change that set each
     * @param members the identities whose histories make up the profile, sorted
     */
    record Expected(boolean found, String resolved, Map<String, AttributeVersion> attributes, List<String> members) {}

    static Expected expect(List<RecordedEvent> log, String customerId, Instant validAt, Instant knownAt) {
        long bound = Hlc.upperBound(knownAt);
        List<Step> steps = new ArrayList<>();
        Set<String> withEvents = new HashSet<>();
        for (RecordedEvent recorded : log) {
            EventEnvelope event = recorded.event();
            if (event.timestampUtc().isAfter(validAt) || recorded.recordedAt() > bound) {
                continue;
            }
            withEvents.add(event.customerId());
            ProfileEvent payload = event.payload();
            if (payload instanceof BulkProfileUpdate bulk) {
                for (int i = 0; i < bulk.changes().size(); i++) {
                    steps.add(new Step(recorded, i));
                }
            } else {
                steps.add(new Step(recorded, 0));
            }
        }
        steps.sort((a, b) -> later(a.version(), b.version()) ? 1 : later(b.version(), a.version()) ? -1 : 0);

        Map<String, Map<String, AttributeVersion>> attributes = new HashMap<>();
        Map<String, Link> links = new HashMap<>();
        for (Step step : steps) {
            EventEnvelope event = step.recorded().event();
            String identity = event.customerId();
            Map<String, AttributeVersion> own = attributes.computeIfAbsent(identity, i -> new HashMap<>());
            ProfileEvent payload = event.payload();
            if (payload instanceof AttributeChanged change) {
                own.put(
                        change.attributeKey(),
                        new AttributeVersion(
                                change.attributeKey(), change.newValue(), step.version(), event.sourceSystem()));
            } else if (payload instanceof BulkProfileUpdate bulk) {
                BulkProfileUpdate.Change change = bulk.changes().get(step.index());
                own.put(
                        change.attributeKey(),
                        new AttributeVersion(
                                change.attributeKey(), change.newValue(), step.version(), event.sourceSystem()));
            } else if (payload instanceof ProfileErased) {
                own.clear();
                // an erasure ends the identity's merge: it is no longer merged into anything
                Link link = links.get(identity);
                if (link != null) {
                    links.put(identity, new Link(link.into(), false, link.version()));
                }
            } else if (payload instanceof ProfileMerged merged) {
                links.put(identity, new Link(merged.mergedInto(), true, step.version()));
            } else if (payload instanceof ProfileUnmerged unmerged) {
                links.put(identity, new Link(unmerged.mergedInto(), false, step.version()));
            } else {
                throw new IllegalStateException("oracle does not know " + payload.type());
            }
        }

        Map<String, String> edges = new HashMap<>();
        links.forEach((from, link) -> {
            if (link.active()) {
                edges.put(from, link.into());
            }
        });
        List<String> cycle;
        while ((cycle = anyCycle(edges)) != null) {
            String owner = cycle.get(0);
            for (String identity : cycle) {
                if (later(links.get(identity).version(), links.get(owner).version())) {
                    owner = identity;
                }
            }
            edges.remove(owner);
        }

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
        Map<String, AttributeVersion> latest = new HashMap<>();
        for (String member : members) {
            for (AttributeVersion version :
                    attributes.getOrDefault(member, Map.of()).values()) {
                AttributeVersion current = latest.get(version.key());
                if (current == null || later(version.version(), current.version())) {
                    latest.put(version.key(), version);
                }
            }
        }
        Map<String, AttributeVersion> visible = new TreeMap<>();
        latest.forEach((key, version) -> {
            if (!(version.value() instanceof AttributeValue.Null)) {
                visible.put(key, version);
            }
        });
        boolean found = members.stream().anyMatch(withEvents::contains);
        return new Expected(found, root, visible, new ArrayList<>(members));
    }

    private static List<String> anyCycle(Map<String, String> edges) {
        for (String start : new TreeSet<>(edges.keySet())) {
            LinkedHashSet<String> walked = new LinkedHashSet<>();
            String current = start;
            while (current != null && walked.add(current)) {
                current = edges.get(current);
            }
            if (current != null) {
                List<String> path = new ArrayList<>(walked);
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

    /** Whether {@code a} comes after {@code b} in (valid time, recorded_at, event id, index). */
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

    private record Step(RecordedEvent recorded, int index) {
        Version version() {
            EventEnvelope event = recorded.event();
            return new Version(event.timestampUtc(), recorded.recordedAt(), event.eventId(), index);
        }
    }

    private record Link(String into, boolean active, Version version) {}
}
