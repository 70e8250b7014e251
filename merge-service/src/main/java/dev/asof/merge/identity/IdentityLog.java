package dev.asof.merge.identity;

import dev.asof.events.MergeLink;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Timestamps;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads from the event log the histories a merge decision or an identity answer rests on: every event (at any valid
 * time) of the identities asked about and of each identity on their chains of active merge links at the valid time,
 * and, for an identity answer, of every identity ever merged into one of those. Which links hold at the valid time
 * is decided by {@link ProfileFold}; the {@link IdentityLinks} index only says whose history to read.
 */
public class IdentityLog {

    private final EventLog log;
    private final IdentityLinks links;

    public IdentityLog(EventLog log, IdentityLinks links) {
        this.log = log;
        this.links = links;
    }

    /**
     * The events of {@code seeds} and of their chains of active links at {@code validAt}, recorded at or before
     * {@code knownAt}.
     */
    public List<RecordedEvent> chains(Collection<String> seeds, Instant validAt, Instant knownAt) {
        return read(seeds, validAt, knownAt, false);
    }

    /** Like {@link #chains}, and also of every identity ever merged into one read, transitively. */
    public List<RecordedEvent> group(String customerId, Instant validAt, Instant knownAt) {
        return read(List.of(customerId), validAt, knownAt, true);
    }

    private List<RecordedEvent> read(Collection<String> seeds, Instant validAt, Instant knownAt, boolean members) {
        Map<String, List<RecordedEvent>> read = new LinkedHashMap<>();
        Deque<String> pending = new ArrayDeque<>(seeds);
        while (!pending.isEmpty()) {
            String identity = pending.pop();
            if (read.containsKey(identity)) {
                continue;
            }
            List<RecordedEvent> events = log.eventsUpTo(identity, Timestamps.LATEST, knownAt);
            read.put(identity, events);
            MergeLink link =
                    ProfileFold.foldAt(identity, events, validAt, Instant.MAX).link();
            if (link != null && link.active()) {
                pending.add(link.mergedInto());
            }
            if (members) {
                pending.addAll(links.mergedInto(identity));
            }
        }
        List<RecordedEvent> all = new ArrayList<>();
        read.values().forEach(all::addAll);
        return all;
    }
}
