package dev.asof.reconstruction;

import dev.asof.events.EventEnvelope;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileUnmerged;
import dev.asof.events.RecordedEvent;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.LateTiers;
import dev.asof.support.storage.ProfileViews;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Logs events exactly as the ingestion service's batch log writer does, without Kafka. Per customer it keeps the
 * view in memory: each event gets {@code recorded_at = Hlc.next(running last_recorded_at, now)} (monotonic per
 * customer), the late mark when it is stamped at or before the running latest valid time, and the identity link of
 * a merge or unmerge, and is written to the log at once; the views are written once per batch ({@link #flush()}),
 * after their events are in the log, so a stored view may lag the log. The caller supplies "now", so a test
 * controls recorded times (and can play a writer whose clock lags).
 */
final class LogFixture {

    private final EventLog eventLog;
    private final ProfileViews views;
    private final IdentityLinks links;
    private final Map<String, ProfileViews.View> stored = new HashMap<>();
    private final Map<String, ProfileViews.View> running = new HashMap<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    private final List<RecordedEvent> logged = new ArrayList<>();
    private final UnaryOperator<EventEnvelope> intake;

    LogFixture(EventLog eventLog, ProfileViews views, IdentityLinks links) {
        this(eventLog, views, links, UnaryOperator.identity());
    }

    /**
     * @param intake what intake does to an event before it is logged (encrypting its values); the log and the views
     *     get its result, {@link #logged()} and {@link #folded()} keep the event as sent, for the oracles
     */
    LogFixture(EventLog eventLog, ProfileViews views, IdentityLinks links, UnaryOperator<EventEnvelope> intake) {
        this.eventLog = eventLog;
        this.views = views;
        this.links = links;
        this.intake = intake;
    }

    /** Logs {@code event} and writes its customer's view, as a writer whose clock reads {@code now}. */
    RecordedEvent log(EventEnvelope event, Instant now) {
        RecordedEvent recorded = append(event, now.toEpochMilli());
        flush();
        return recorded;
    }

    /** Logs {@code event} and writes its customer's view, as a writer whose clock reads {@code nowMillis}. */
    RecordedEvent log(EventEnvelope event, long nowMillis) {
        RecordedEvent recorded = append(event, nowMillis);
        flush();
        return recorded;
    }

    /** Logs {@code event} as part of a batch: its customer's view is written at the next {@link #flush()}. */
    RecordedEvent append(EventEnvelope event, long nowMillis) {
        String customer = event.customerId();
        ProfileViews.View view = running.computeIfAbsent(customer, id -> {
            ProfileViews.View found = views.find(id).orElse(ProfileViews.View.empty(id));
            stored.put(id, found);
            return found;
        });
        long eventMillis = event.timestampUtc().toEpochMilli();
        RecordedEvent sent = new RecordedEvent(event, Hlc.next(view.lastRecordedAt(), nowMillis));
        RecordedEvent recorded = new RecordedEvent(intake.apply(event), sent.recordedAt());
        EventLog.Append append = eventLog.append(recorded, view.maxTimestampMillis(), 0, 0);
        if (!append.created()) {
            throw new IllegalStateException("fixture logged " + event.eventId() + " twice");
        }
        int lateTiers =
                view.lateTiers() | (append.lateTier() == EventLog.NOT_LATE ? 0 : LateTiers.bit(append.lateTier()));
        if (event.payload() instanceof ProfileMerged merged) {
            links.record(merged.mergedInto(), merged.mergedFrom());
        } else if (event.payload() instanceof ProfileUnmerged unmerged) {
            links.record(unmerged.mergedInto(), unmerged.mergedFrom());
        }
        IdentityState next = ProfileFold.evolve(view.state(), recorded);
        running.put(
                customer,
                new ProfileViews.View(
                        next,
                        Math.max(view.lastRecordedAt(), recorded.recordedAt()),
                        Math.max(view.maxTimestampMillis(), eventMillis),
                        lateTiers,
                        view.revision()));
        dirty.add(customer);
        logged.add(sent);
        return sent;
    }

    /** Writes the view of every customer with events since the last flush: the end of a batch. */
    void flush() {
        for (String customer : dirty) {
            ProfileViews.View before = stored.get(customer);
            ProfileViews.View after = running.get(customer);
            Instant now = Hlc.toInstant(after.lastRecordedAt());
            if (!views.replace(
                    before,
                    after.state(),
                    after.lastRecordedAt(),
                    after.maxTimestampMillis(),
                    after.lateTiers(),
                    now)) {
                throw new IllegalStateException("someone else wrote the view of " + customer);
            }
            ProfileViews.View written = new ProfileViews.View(
                    after.state(),
                    after.lastRecordedAt(),
                    after.maxTimestampMillis(),
                    after.lateTiers(),
                    before.revision() + 1);
            stored.put(customer, written);
            running.put(customer, written);
        }
        dirty.clear();
    }

    /** Every event this fixture logged, in the order it logged them. */
    List<RecordedEvent> logged() {
        return List.copyOf(logged);
    }

    /**
     * The logged events whose customer's stored view has folded them in (written at a {@link #flush()}): what a
     * read answers from. An event logged in a batch whose views are not written yet is not part of any answer.
     */
    List<RecordedEvent> folded() {
        return logged.stream()
                .filter(event -> {
                    ProfileViews.View view = stored.get(event.event().customerId());
                    return view != null && view.lastRecordedAt() >= event.recordedAt();
                })
                .toList();
    }
}
