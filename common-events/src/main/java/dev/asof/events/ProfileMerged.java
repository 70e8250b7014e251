package dev.asof.events;

import java.util.Objects;

/**
 * {@code CUSTOMER_PROFILE_MERGE}: identity {@code mergedFrom} was found to be the same person as {@code
 * mergedInto}. The event travels in the stream of {@code mergedFrom} (its {@code customer_id}). From the
 * event's time on, {@code mergedFrom} resolves to {@code mergedInto}, whose profile includes the whole
 * history of {@code mergedFrom}.
 *
 * @param mergedInto the surviving identity
 * @param mergedFrom the identity merged away; equals the envelope's {@code customer_id}
 */
public record ProfileMerged(String mergedInto, String mergedFrom) implements ProfileEvent {

    public ProfileMerged {
        Objects.requireNonNull(mergedInto, "mergedInto");
        Objects.requireNonNull(mergedFrom, "mergedFrom");
    }

    @Override
    public EventType type() {
        return EventType.CUSTOMER_PROFILE_MERGE;
    }
}
