package dev.asof.reconstruction.web;

import dev.asof.events.AttributeValue;

/** Attribute values as plain JSON scalars in API responses. */
public final class JsonValues {

    private JsonValues() {}

    /** A string, an exact number, a boolean, or {@code null} (for a removed or absent value, or {@code null} in). */
    public static Object plain(AttributeValue value) {
        if (value instanceof AttributeValue.Text text) {
            return text.value();
        }
        if (value instanceof AttributeValue.Numeric number) {
            return number.value();
        }
        if (value instanceof AttributeValue.Bool bool) {
            return bool.value();
        }
        return null;
    }
}
