package dev.asof.events;

import java.util.Objects;

/**
 * {@code CUSTOMER_PROFILE_UNMERGE}: undoes a merge. Travels in the stream of {@code mergedFrom}. From the
 * event's time on, {@code mergedFrom} stands alone again with every event ever addressed to it, and {@code
 * mergedInto} no longer includes it.
 *
 * <p>{@code reason}, {@code decidedBy} and {@code evidence} say why and on whose word; they came with envelope
 * {@code schema_version} 2 and play no part in the fold.
 *
 * @param mergedInto the identity it had been merged into
 * @param mergedFrom the identity that stands alone again; equals the envelope's {@code customer_id}
 * @param reason why, in the decider's words; may be {@code null}
 * @param decidedBy who decided; may be {@code null}
 * @param evidence what the decision rests on, a JSON object as compact JSON text; may be {@code null}
 */
public record ProfileUnmerged(String mergedInto, String mergedFrom, String reason, String decidedBy, String evidence)
        implements ProfileEvent {

    public ProfileUnmerged {
        Objects.requireNonNull(mergedInto, "mergedInto");
        Objects.requireNonNull(mergedFrom, "mergedFrom");
    }

    /** An unmerge without a recorded reason, decider or evidence (schema version 1). */
    public ProfileUnmerged(String mergedInto, String mergedFrom) {
        this(mergedInto, mergedFrom, null, null, null);
    }

    @Override
    public EventType type() {
        return EventType.CUSTOMER_PROFILE_UNMERGE;
    }
}
