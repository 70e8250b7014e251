package dev.asof.support.storage;

import dev.asof.events.EventEnvelope;
import dev.asof.events.RecordedEvent;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether the log writer has logged an event and folded it into its identity's view: for the followers of the event
 * topic (reconstruction's cache invalidation, merge-service's match index) that may run ahead of the log writer.
 * The log writer records an event (and its identity link) before it folds it into the view, so a view whose {@code
 * last_recorded_at} reaches the event's {@code recorded_at} includes it.
 */
public class FoldedEvents {

    private final EventLog log;
    private final ProfileViews views;

    public FoldedEvents(EventLog log, ProfileViews views) {
        this.log = log;
        this.views = views;
    }

    /** Whether {@code event} is in the log and in its identity's view; both read consistently. */
    public boolean folded(EventEnvelope event) {
        return folded(event.customerId(), event.timestampUtc(), event.eventId());
    }

    /** Whether the event {@code eventId} of {@code customerId} stamped {@code timestampUtc} is logged and folded. */
    public boolean folded(String customerId, Instant timestampUtc, String eventId) {
        Optional<RecordedEvent> logged = log.find(customerId, timestampUtc, eventId);
        if (logged.isEmpty()) {
            return false;
        }
        return views.head(customerId)
                .map(head -> head.lastRecordedAt() >= logged.get().recordedAt())
                .orElse(false);
    }
}
