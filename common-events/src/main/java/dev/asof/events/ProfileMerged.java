package dev.asof.events;

import java.util.Objects;

/**
 * {@code CUSTOMER_PROFILE_MERGE}: identity {@code mergedFrom} was found to be the same person as {@code
 * mergedInto}. The event travels in the stream of {@code mergedFrom} (its {@code customer_id}). From the
 * event's time on, {@code mergedFrom} resolves to {@code mergedInto}, whose profile includes the whole
 * history of {@code mergedFrom}.
 *
 * <p>{@code reason}, {@code decidedBy} and {@code evidence} say why and on whose word; they came with envelope
 * {@code schema_version} 2 and play no part in the fold.
 *
 * @param mergedInto the surviving identity
 * @param mergedFrom the identity merged away; equals the envelope's {@code customer_id}
 * @param reason why, in the decider's words; may be {@code null}
 * @param decidedBy who decided (an agent, a matching rule); may be {@code null}
 * @param evidence what the decision rests on, a JSON object as compact JSON text; may be {@code null}
 */
public record ProfileMerged(String mergedInto, String mergedFrom, String reason, String decidedBy, String evidence)
        implements ProfileEvent {

    public ProfileMerged {
        Objects.requireNonNull(mergedInto, "mergedInto");
        Objects.requireNonNull(mergedFrom, "mergedFrom");
    }

    /** A merge without a recorded reason, decider or evidence (schema version 1). */
    public ProfileMerged(String mergedInto, String mergedFrom) {
        this(mergedInto, mergedFrom, null, null, null);
    }

    @Override
    public EventType type() {
        return EventType.CUSTOMER_PROFILE_MERGE;
    }
}
