package dev.asof.events;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * The value of a profile attribute on the wire: a JSON string, number, boolean or {@code null}. A
 * {@link Null} new value removes the attribute from the profile.
 */
public sealed interface AttributeValue {

    /** Largest accepted value, in UTF-8 bytes of its JSON text. */
    int MAX_JSON_BYTES = 4096;

    /** A JSON string. */
    record Text(String value) implements AttributeValue {
        public Text {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String asText() {
            return value;
        }
    }

    /** A JSON number, kept exactly as written (scale included). */
    record Numeric(BigDecimal value) implements AttributeValue {
        public Numeric {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String asText() {
            return value.toPlainString();
        }

        @Override
        public boolean sameAs(AttributeValue other) {
            return other instanceof Numeric n && n.value.compareTo(value) == 0;
        }
    }

    /** A JSON boolean. */
    record Bool(boolean value) implements AttributeValue {
        @Override
        public String asText() {
            return Boolean.toString(value);
        }
    }

    /** JSON {@code null}: the attribute has no value (is removed). */
    record Null() implements AttributeValue {
        @Override
        public String asText() {
            return null;
        }
    }

    /** The single {@link Null} instance. */
    AttributeValue NULL = new Null();

    /** The value as a string, as a flat contact-centre contract shows it; {@code null} for {@link Null}. */
    String asText();

    /** Whether two values mean the same thing ({@code 1.0} and {@code 1} do). */
    default boolean sameAs(AttributeValue other) {
        return equals(other);
    }

    /** Shorthand for a text value. */
    static AttributeValue text(String value) {
        return new Text(value);
    }
}
