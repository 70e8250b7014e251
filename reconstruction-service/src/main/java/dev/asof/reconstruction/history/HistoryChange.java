package dev.asof.reconstruction.history;

import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.Version;

/**
 * One change in a customer's timeline.
 *
 * @param event the event that made it; its {@code customer_id} is the member the change came from
 * @param version its place in the total order (a bulk update's entries differ by index; so do the attribute changes
 *     a merge or unmerge makes, after the merge or unmerge itself at index 0)
 * @param attribute the attribute changed; {@code null} for an erasure, and for a merge or unmerge itself
 * @param oldValue the attribute's value just before this change in the customer's profile (the fold of the events
 *     of the customer and of the members resolving to it, by valid time, as known at the query's {@code known_at});
 *     {@link AttributeValue#NULL} when it had none; {@code null} when hidden
 * @param newValue the value set; {@link AttributeValue#NULL} for a removal
 * @param claimedPreviousValue the {@code previous_value} the source sent with the change; {@code null} when it sent
 *     none. It can differ from {@code oldValue}: sources do not see each other's changes
 * @param reason the event's {@code change_reason} (or the erasure's, merge's or unmerge's {@code reason})
 * @param mergedFrom for a merge or unmerge (and the attribute changes it makes), the identity merged
 * @param mergedInto for a merge or unmerge (and the attribute changes it makes), the identity merged into
 * @param redacted whether a value is hidden because a later erasure (as known at {@code known_at}) of the identity
 *     that set it erased it, or because that identity's key was destroyed
 */
public record HistoryChange(
        EventEnvelope event,
        Version version,
        String attribute,
        AttributeValue oldValue,
        AttributeValue newValue,
        AttributeValue claimedPreviousValue,
        String reason,
        String mergedFrom,
        String mergedInto,
        boolean redacted) {}
