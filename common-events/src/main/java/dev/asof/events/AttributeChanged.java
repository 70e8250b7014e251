package dev.asof.events;

import java.util.Objects;

/**
 * {@code CUSTOMER_PROFILE_ATTRIBUTE_CHANGE}: one attribute of one customer changed.
 *
 * @param attributeKey the attribute, see {@link AttributeKeys}
 * @param previousValue the value the source believed it replaced; {@code null} when the source did not say
 * @param newValue the new value; {@link AttributeValue#NULL} removes the attribute
 * @param changeReason why, as the source put it ({@code agent_update}, {@code ivr_self_service}, ...); may be
 *     {@code null}
 */
public record AttributeChanged(
        String attributeKey, AttributeValue previousValue, AttributeValue newValue, String changeReason)
        implements ProfileEvent {

    public AttributeChanged {
        Objects.requireNonNull(attributeKey, "attributeKey");
        Objects.requireNonNull(newValue, "newValue");
    }

    @Override
    public EventType type() {
        return EventType.CUSTOMER_PROFILE_ATTRIBUTE_CHANGE;
    }

    /** Whether the change changes nothing: the source sent the value it already had (the guide's noise). */
    public boolean isNoOp() {
        return previousValue != null && previousValue.sameAs(newValue);
    }
}
