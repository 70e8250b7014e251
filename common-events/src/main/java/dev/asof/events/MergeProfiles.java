package dev.asof.events;

import java.time.Instant;
import java.util.Objects;

/**
 * The command to merge identity {@code mergedFrom} (A) into {@code mergedInto} (B): from {@code effectiveAt} on,
 * A resolves to B. Decided by {@link ProfileDecider#decide(MergeProfiles, KnownIdentities)}.
 *
 * <p>{@code reason}, {@code decidedBy} and {@code evidence} are carried by the event (envelope {@code
 * schema_version} 2).
 *
 * @param eventId the {@code event_id} the merge event gets; the caller chooses it (a retry keeps it)
 * @param mergedInto B, the surviving identity
 * @param mergedFrom A, the identity merged away
 * @param effectiveAt the valid time of the merge; the caller substitutes "now" when the request leaves it out
 * @param reason why; may be {@code null}
 * @param decidedBy who decided (an agent, a matching rule); may be {@code null}
 * @param evidence what the decision rests on; may be {@code null}
 */
public record MergeProfiles(
        String eventId,
        String mergedInto,
        String mergedFrom,
        Instant effectiveAt,
        String reason,
        String decidedBy,
        String evidence) {

    public MergeProfiles {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(mergedInto, "mergedInto");
        Objects.requireNonNull(mergedFrom, "mergedFrom");
        Objects.requireNonNull(effectiveAt, "effectiveAt");
    }

    /** The same command taking effect at {@code at}. */
    public MergeProfiles at(Instant at) {
        return new MergeProfiles(eventId, mergedInto, mergedFrom, at, reason, decidedBy, evidence);
    }
}
