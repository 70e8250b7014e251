package dev.asof.events;

import java.util.Objects;

/**
 * {@code CUSTOMER_PROFILE_UNMERGE}: undoes a merge. Travels in the stream of {@code mergedFrom}. From the
 * event's time on, {@code mergedFrom} stands alone again with every event ever addressed to it, and {@code
 * mergedInto} no longer includes it.
 *
 * @param mergedInto the identity it had been merged into
 * @param mergedFrom the identity that stands alone again; equals the envelope's {@code customer_id}
 */
public record ProfileUnmerged(String mergedInto, String mergedFrom) implements ProfileEvent {

    public ProfileUnmerged {
        Objects.requireNonNull(mergedInto, "mergedInto");
        Objects.requireNonNull(mergedFrom, "mergedFrom");
    }

    @Override
    public EventType type() {
        return EventType.CUSTOMER_PROFILE_UNMERGE;
    }
}
