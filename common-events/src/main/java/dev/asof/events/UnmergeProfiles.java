package dev.asof.events;

import java.time.Instant;
import java.util.Objects;

/**
 * The command to undo the merge of identity {@code mergedFrom} (A) into {@code mergedInto} (B): from {@code
 * effectiveAt} on, A stands alone again. Decided by {@link ProfileDecider#decide(UnmergeProfiles, KnownIdentities)}.
 *
 * <p>{@code reason}, {@code decidedBy} and {@code evidence} are carried by the event (envelope {@code
 * schema_version} 2).
 *
 * @param eventId the {@code event_id} the unmerge event gets; the caller chooses it (a retry keeps it)
 * @param mergedInto B, the identity A had been merged into
 * @param mergedFrom A, the identity that stands alone again
 * @param effectiveAt the valid time of the unmerge; the caller substitutes "now" when the request leaves it out
 * @param reason why; may be {@code null}
 * @param decidedBy who decided (an agent, a matching rule); may be {@code null}
 * @param evidence what the decision rests on; may be {@code null}
 */
public record UnmergeProfiles(
        String eventId,
        String mergedInto,
        String mergedFrom,
        Instant effectiveAt,
        String reason,
        String decidedBy,
        String evidence) {

    public UnmergeProfiles {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(mergedInto, "mergedInto");
        Objects.requireNonNull(mergedFrom, "mergedFrom");
        Objects.requireNonNull(effectiveAt, "effectiveAt");
    }

    /** The same command taking effect at {@code at}. */
    public UnmergeProfiles at(Instant at) {
        return new UnmergeProfiles(eventId, mergedInto, mergedFrom, at, reason, decidedBy, evidence);
    }
}
