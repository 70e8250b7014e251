package dev.asof.reconstruction.history;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.AttributeVersion;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.EventEnvelope;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileErased;
import dev.asof.events.ProfileFold;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileUnmerged;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Version;
import dev.asof.reconstruction.resilience.Deadline;
import dev.asof.reconstruction.resilience.ProfileStoreGuard;
import dev.asof.reconstruction.resilience.ProfileStoreUnavailableException;
import dev.asof.reconstruction.state.IdentityRead;
import dev.asof.reconstruction.state.IdentityStates;
import dev.asof.support.storage.LogRanges;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Service;

/**
 * A customer's change timeline: the changes of its own events in the total order of changes (valid time, then
 * recorded time, event id and position in a bulk update), as known at a system time, each with the value it
 * replaced in the fold. A page starts from the state just before its first valid time (read from a snapshot where
 * one helps) and scans the log from there, so deep pages cost no more than early ones.
 */
@Service
public class ProfileHistory {

    /** Log items fetched per query while scanning. */
    private static final int SCAN_PAGE = 200;

    private static final Comparator<RecordedEvent> CHANGE_ORDER = Comparator.comparing(RecordedEvent::version);

    private final IdentityStates states;
    private final LogRanges log;
    private final ProfileStoreGuard guard;
    private final MeterRegistry metrics;

    ProfileHistory(IdentityStates states, LogRanges log, ProfileStoreGuard guard, MeterRegistry metrics) {
        this.states = states;
        this.log = log;
        this.guard = guard;
        this.metrics = metrics;
    }

    /**
     * One page of the timeline.
     *
     * @throws ProfileStoreUnavailableException when DynamoDB is slow or down
     */
    public HistoryPage page(HistoryQuery query) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            HistoryPage page = guard.call(deadline -> read(query, deadline));
            outcome = "found";
            return page;
        } catch (ProfileStoreUnavailableException unavailable) {
            outcome = "unavailable";
            throw unavailable;
        } finally {
            Timer.builder("asof.reconstruction.latency")
                    .description("time to answer a profile read, cache look-up included")
                    .tag("endpoint", "history")
                    .tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .register(metrics)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private HistoryPage read(HistoryQuery query, Deadline deadline) {
        String customerId = query.customerId();
        long asked = Hlc.upperBound(query.knownAt());
        // Values set before the latest erasure known at K are hidden from every profile from then on: hide them here.
        IdentityRead whole = states.read(customerId, LogRanges.MAX_VALID_TIME, asked, deadline);
        Version erasure = whole.state().erasedAt();
        // K cut to what the view has folded, as every read does, so the timeline, its base state and the erasure
        // all see the same events (no part of a batch still being written); no view means no events yet.
        long bound = whole.watermark() == null ? 0 : Math.min(asked, whole.watermark());
        Instant start = query.after() != null ? query.after().timestamp() : query.from();
        Instant to = query.to() == null ? LogRanges.MAX_VALID_TIME : query.to();
        IdentityState state = start == null
                ? IdentityState.empty(customerId)
                : states.read(customerId, start.minusMillis(1), bound, deadline).state();

        List<HistoryChange> changes = new ArrayList<>();
        Iterator<RecordedEvent> scan = log.validTimeScan(customerId, start, to, bound, SCAN_PAGE);
        List<RecordedEvent> sameTime = new ArrayList<>();
        while (true) {
            deadline.check();
            RecordedEvent next = scan.hasNext() ? scan.next() : null;
            if (next != null
                    && (sameTime.isEmpty()
                            || next.event()
                                    .timestampUtc()
                                    .equals(sameTime.get(0).event().timestampUtc()))) {
                sameTime.add(next);
                continue;
            }
            // the log sorts one valid time by event id; the order of changes puts recorded_at first
            sameTime.sort(CHANGE_ORDER);
            for (RecordedEvent event : sameTime) {
                for (HistoryChange change : changesOf(event, state, query.attribute(), erasure)) {
                    if (change.version().isAfter(query.after())) {
                        changes.add(change);
                        if (changes.size() == query.limit()) {
                            return new HistoryPage(changes, change.version());
                        }
                    }
                }
                state = ProfileFold.evolve(state, event);
            }
            if (next == null) {
                return new HistoryPage(changes, null);
            }
            sameTime.clear();
            sameTime.add(next);
        }
    }

    /** The changes one event makes to {@code before}, the fold of every change ordered before it. */
    private static List<HistoryChange> changesOf(
            RecordedEvent recorded, IdentityState before, String attribute, Version erasure) {
        EventEnvelope event = recorded.event();
        Version version = recorded.version();
        List<HistoryChange> changes = new ArrayList<>();
        if (event.payload() instanceof AttributeChanged change) {
            if (attribute == null || attribute.equals(change.attributeKey())) {
                changes.add(valueChange(
                        event,
                        version,
                        change.attributeKey(),
                        valueOf(before, change.attributeKey()),
                        change.newValue(),
                        change.previousValue(),
                        change.changeReason(),
                        erasure));
            }
        } else if (event.payload() instanceof BulkProfileUpdate bulk) {
            // entries apply in order, so a key repeated in one update replaces its own earlier entry
            Map<String, AttributeValue> applied = new HashMap<>();
            for (int i = 0; i < bulk.changes().size(); i++) {
                BulkProfileUpdate.Change change = bulk.changes().get(i);
                String key = change.attributeKey();
                AttributeValue old = applied.containsKey(key) ? applied.get(key) : valueOf(before, key);
                applied.put(key, change.newValue());
                if (attribute == null || attribute.equals(key)) {
                    changes.add(valueChange(
                            event,
                            new Version(version.timestamp(), version.recordedAt(), version.eventId(), i),
                            key,
                            old,
                            change.newValue(),
                            change.previousValue(),
                            bulk.changeReason(),
                            erasure));
                }
            }
        } else if (event.payload() instanceof ProfileErased erased) {
            changes.add(new HistoryChange(event, version, null, null, null, null, erased.reason(), null, false));
        } else if (attribute == null && event.payload() instanceof ProfileMerged merged) {
            changes.add(new HistoryChange(event, version, null, null, null, null, null, merged.mergedInto(), false));
        } else if (attribute == null && event.payload() instanceof ProfileUnmerged unmerged) {
            changes.add(new HistoryChange(event, version, null, null, null, null, null, unmerged.mergedInto(), false));
        }
        return changes;
    }

    private static HistoryChange valueChange(
            EventEnvelope event,
            Version version,
            String key,
            AttributeValue old,
            AttributeValue value,
            AttributeValue claimed,
            String reason,
            Version erasure) {
        if (erasure != null && !version.isAfter(erasure)) {
            return new HistoryChange(event, version, key, null, null, null, reason, null, true);
        }
        return new HistoryChange(event, version, key, old, value, claimed, reason, null, false);
    }

    private static AttributeValue valueOf(IdentityState state, String key) {
        AttributeVersion version = state.attributes().get(key);
        return version == null ? AttributeValue.NULL : version.value();
    }
}
