package dev.asof.merge.identity;

import dev.asof.events.EventEnvelope;
import dev.asof.events.MergeLink;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Timestamps;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.LogRanges;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * Reads from the event log the histories a merge decision or an identity answer rests on: every event (at any valid
 * time) of the identities asked about and of each identity on their chains of active merge links at the valid time,
 * and, for an identity answer, of every identity ever merged into one of those. Which links hold at the valid time
 * is decided by {@link ProfileFold}; the {@link IdentityLinks} index only says whose history to read.
 *
 * <p>Bounded: past {@code asof.identity.max-identities} identities or {@code max-events} events it stops reading
 * and answers {@code 422 identity-too-large}.
 */
public class IdentityLog {

    private final EventLog log;
    private final IdentityLinks links;
    private final int maxIdentities;
    private final int maxEvents;

    public IdentityLog(EventLog log, IdentityLinks links, IdentityProperties properties) {
        this.log = log;
        this.links = links;
        this.maxIdentities = properties.maxIdentities();
        this.maxEvents = properties.maxEvents();
    }

    /** Whether the log writer has logged {@code event}. */
    public boolean isLogged(EventEnvelope event) {
        return log.find(event.customerId(), event.timestampUtc(), event.eventId())
                .isPresent();
    }

    /**
     * The events of {@code seeds} and of their chains of active links at {@code validAt}, recorded at or before
     * {@code knownAt}.
     */
    public List<RecordedEvent> chains(Collection<String> seeds, Instant validAt, Instant knownAt) {
        return read(seeds, validAt, knownAt, false, false);
    }

    /** Like {@link #chains}, and also of every identity ever merged into one read, transitively. */
    public List<RecordedEvent> group(String customerId, Instant validAt, Instant knownAt) {
        return read(List.of(customerId), validAt, knownAt, true, false);
    }

    /**
     * Like {@link #group}, with only the merges, unmerges and erasures of each identity: all that {@link Identity}
     * and {@link ErasedIdentities} fold, without reading the attribute changes of a long history. Whether the
     * customer has events at all is {@link #hasEvents}.
     */
    public List<RecordedEvent> identityGroup(String customerId, Instant validAt, Instant knownAt) {
        return read(List.of(customerId), validAt, knownAt, true, true);
    }

    /**
     * Whether {@code customerId} has an event with valid time after {@code after} ({@code null}: at any time),
     * recorded at or before {@code knownAt}; erasures count only when {@code countErasures}.
     */
    public boolean hasEvents(String customerId, Instant after, Instant knownAt, boolean countErasures) {
        return log.anyEvent(customerId, after, knownAt, countErasures);
    }

    /**
     * Whether the erased {@code customerId} had come back by {@code validAt} (an event of its own stamped after
     * {@code erased}, other than an erasure or one it redacted), as known at {@code knownAt}: as reconstruction's
     * reads decide it.
     */
    public boolean cameBack(String customerId, Instant erased, Instant validAt, Instant knownAt) {
        return log.cameBack(customerId, erased, validAt, knownAt);
    }

    private List<RecordedEvent> read(
            Collection<String> seeds, Instant validAt, Instant knownAt, boolean members, boolean identityOnly) {
        Map<String, List<RecordedEvent>> read = new LinkedHashMap<>();
        Deque<String> pending = new ArrayDeque<>(seeds);
        long eventsRead = 0;
        while (!pending.isEmpty()) {
            String identity = pending.pop();
            if (read.containsKey(identity)) {
                continue;
            }
            if (read.size() == maxIdentities) {
                throw tooLarge(seeds, "more than " + maxIdentities + " identities (asof.identity.max-identities)");
            }
            List<RecordedEvent> events;
            if (identityOnly) {
                // the bound counts the items the store read for the filter, as a whole read would count them
                LogRanges.Scanned scanned = log.identityEvents(identity, knownAt);
                events = scanned.events();
                eventsRead += scanned.scanned();
            } else {
                events = log.eventsUpTo(identity, Timestamps.LATEST, knownAt);
                eventsRead += events.size();
            }
            if (eventsRead > maxEvents) {
                throw tooLarge(seeds, "more than " + maxEvents + " events (asof.identity.max-events)");
            }
            read.put(identity, events);
            MergeLink link =
                    ProfileFold.foldAt(identity, events, validAt, Instant.MAX).linkInForce();
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

    private static ApiProblemException tooLarge(Collection<String> seeds, String what) {
        return new ApiProblemException(Problems.of(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "identity-too-large",
                "Identity too large",
                "the identities of " + String.join(", ", seeds) + " and their merges hold " + what
                        + "; nothing was decided or written"));
    }
}
