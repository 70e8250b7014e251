package dev.asof.events;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Timestamps on the wire: ISO-8601 with {@code Z} or an explicit offset, normalized to UTC at millisecond
 * precision. A timestamp without an offset is ambiguous and refused.
 */
public final class Timestamps {

    private static final DateTimeFormatter WIRE =
            new DateTimeFormatterBuilder().appendInstant(3).toFormatter();

    private Timestamps() {}

    /** Parses an ISO-8601 timestamp with offset; empty when it is malformed or has no offset. */
    public static Optional<Instant> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(truncate(OffsetDateTime.parse(text).toInstant()));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /** The instant cut to whole milliseconds. */
    public static Instant truncate(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }

    /** The wire form: UTC, always three fraction digits, {@code Z}. */
    public static String format(Instant instant) {
        return WIRE.format(instant);
    }
}
