package dev.asof.events;

import java.util.Objects;

/**
 * One attribute's value as set by one change.
 *
 * @param key the attribute
 * @param value the value; {@link AttributeValue.Null} when the change removed it
 * @param version when, in the total order of changes
 * @param sourceSystem the source of the change
 */
public record AttributeVersion(String key, AttributeValue value, Version version, String sourceSystem) {

    public AttributeVersion {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(version, "version");
    }

    /** Whether the attribute is present (not removed). */
    public boolean isPresent() {
        return !(value instanceof AttributeValue.Null);
    }
}
