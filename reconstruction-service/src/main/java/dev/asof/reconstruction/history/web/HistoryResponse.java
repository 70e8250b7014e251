package dev.asof.reconstruction.history.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.asof.events.Hlc;
import dev.asof.events.Timestamps;
import dev.asof.reconstruction.history.HistoryChange;
import dev.asof.reconstruction.web.JsonValues;
import java.time.Instant;
import java.util.List;

/**
 * A page of a customer's change timeline (snake_case on the wire).
 *
 * @param customerId the identity whose timeline this is: its own changes and those of the members resolving to it
 * @param attribute the attribute filter; {@code null} for every event
 * @param from the valid-time range's start as asked; {@code null} from the beginning
 * @param to the valid-time range's end as asked; {@code null} to the end
 * @param knownAt the system time the timeline is as known at (the same on every page of a walk)
 * @param changes the changes, in the total order of changes
 * @param nextCursor pass as {@code cursor} for the next page; {@code null} on the last page
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record HistoryResponse(
        String customerId,
        String attribute,
        String from,
        String to,
        String knownAt,
        List<Change> changes,
        String nextCursor) {

    /**
     * One change.
     *
     * @param memberCustomerId the identity whose event made the change: {@code customer_id} itself, or a member
     *     merged into it at the time
     * @param oldValue the value just before this change in the fold (by valid time, as known at {@code known_at})
     * @param newValue the value set; {@code null} for a removal
     * @param claimedPreviousValue the {@code previous_value} the source sent; {@code null} when it sent none
     * @param mergedFrom for a merge or unmerge (and the attribute changes it makes), the identity merged
     * @param redacted whether a value is hidden because a later erasure erased it, or because the key of the
     *     identity that set it was destroyed (an identity erased alone after an unmerge)
     */
    record Change(
            String eventId,
            String eventType,
            String memberCustomerId,
            String attribute,
            Object oldValue,
            Object newValue,
            Object claimedPreviousValue,
            String changedAt,
            String recordedAt,
            String sourceSystem,
            String channel,
            String agentId,
            String interactionId,
            String reason,
            String mergedFrom,
            String mergedInto,
            boolean redacted) {

        static Change of(HistoryChange change) {
            return new Change(
                    change.event().eventId(),
                    change.event().eventType().wireName(),
                    change.event().customerId(),
                    change.attribute(),
                    change.oldValue() == null ? null : JsonValues.plain(change.oldValue()),
                    change.newValue() == null ? null : JsonValues.plain(change.newValue()),
                    change.claimedPreviousValue() == null ? null : JsonValues.plain(change.claimedPreviousValue()),
                    Timestamps.format(change.version().timestamp()),
                    Timestamps.format(Hlc.toInstant(change.version().recordedAt())),
                    change.event().sourceSystem(),
                    change.event().metadata().channel(),
                    change.event().metadata().agentId(),
                    change.event().metadata().interactionId(),
                    change.reason(),
                    change.mergedFrom(),
                    change.mergedInto(),
                    change.redacted());
        }
    }

    static String format(Instant instant) {
        return instant == null ? null : Timestamps.format(instant);
    }
}
