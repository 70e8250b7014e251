package dev.asof.events;

import java.util.List;
import java.util.Objects;

/**
 * {@code BULK_PROFILE_UPDATE}: an ordered list of attribute changes to one customer, applied as one event.
 * When a key appears twice, the later entry wins.
 *
 * @param changes the changes, in order; at least one, at most {@link #MAX_CHANGES}
 * @param changeReason why; may be {@code null}
 */
public record BulkProfileUpdate(List<Change> changes, String changeReason) implements ProfileEvent {

    /** The most changes one bulk update may carry. */
    public static final int MAX_CHANGES = 500;

    public BulkProfileUpdate {
        changes = List.copyOf(changes);
    }

    @Override
    public EventType type() {
        return EventType.BULK_PROFILE_UPDATE;
    }

    /**
     * One change inside a bulk update.
     *
     * @param attributeKey the attribute
     * @param previousValue what the source believed it replaced; {@code null} when not said
     * @param newValue the new value; {@link AttributeValue#NULL} removes the attribute
     */
    public record Change(String attributeKey, AttributeValue previousValue, AttributeValue newValue) {
        public Change {
            Objects.requireNonNull(attributeKey, "attributeKey");
            Objects.requireNonNull(newValue, "newValue");
        }
    }
}
