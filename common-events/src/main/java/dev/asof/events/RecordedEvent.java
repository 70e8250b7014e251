package dev.asof.events;

import java.util.Objects;

/**
 * An event as the immutable log holds it: the envelope plus when it was durably recorded.
 *
 * @param event the envelope
 * @param recordedAt the {@link Hlc} value the log writer gave it; monotonic per customer
 */
public record RecordedEvent(EventEnvelope event, long recordedAt) {

    public RecordedEvent {
        Objects.requireNonNull(event, "event");
    }

    /** The order of this event among all events: see {@link Version}. */
    public Version version() {
        return new Version(event.timestampUtc(), recordedAt, event.eventId(), 0);
    }
}
