package dev.asof.reconstruction.history;

import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.Version;

/**
 * One change in a customer's timeline.
 *
 * @param event the event that made it
 * @param version its place in the total order (a bulk update's entries differ by index)
 * @param attribute the attribute changed; {@code null} for an erasure, merge or unmerge
 * @param oldValue the attribute's value just before this change in the fold of the customer's events (by valid
 *     time, as known at the query's {@code known_at}); {@link AttributeValue#NULL} when it had none
 * @param newValue the value set; {@link AttributeValue#NULL} for a removal
 * @param claimedPreviousValue the {@code previous_value} the source sent with the change; {@code null} when it sent
 *     none. It can differ from {@code oldValue}: sources do not see each other's changes
 * @param reason the event's {@code change_reason} (or the erasure's {@code reason})
 * @param mergedInto for a merge or unmerge, the identity merged into
 * @param redacted whether the values are hidden because a later erasure (as known at {@code known_at}) erased them
 */
public record HistoryChange(
        EventEnvelope event,
        Version version,
        String attribute,
        AttributeValue oldValue,
        AttributeValue newValue,
        AttributeValue claimedPreviousValue,
        String reason,
        String mergedInto,
        boolean redacted) {}
