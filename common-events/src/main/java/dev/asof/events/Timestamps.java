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
 *
 * <p>The storable range is {@link #EARLIEST} to {@link #LATEST}: the log orders events by zero-padded epoch
 * milliseconds, which has no place for an instant before 1970, so intake refuses what the log writer could not
 * store, and reads accept the same range in both of their forms.
 */
public final class Timestamps {

    /** The earliest instant an event may carry or a read may ask for: 1970-01-01T00:00:00.000Z. */
    public static final Instant EARLIEST = Instant.EPOCH;

    /** The latest instant an event may carry or a read may ask for: 9999-12-31T23:59:59.999Z. */
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    private static final DateTimeFormatter WIRE =
            new DateTimeFormatterBuilder().appendInstant(3).toFormatter();

    private Timestamps() {}

    private static final java.util.regex.Pattern EMPTY_FRACTION = java.util.regex.Pattern.compile("\\.(?![0-9])");

    /** Parses an ISO-8601 timestamp with offset; empty when it is malformed or has no offset. */
    public static Optional<Instant> parse(String text) {
        // java.time takes a decimal point without digits ("00:00:00.Z"); RFC 3339 wants at least one
        if (text == null || EMPTY_FRACTION.matcher(text).find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(truncate(OffsetDateTime.parse(text).toInstant()));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code instant} lies in the storable range, {@link #EARLIEST} to {@link #LATEST} inclusive. */
    public static boolean inRange(Instant instant) {
        return !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
    }

    /** The storable range as a person reads it, for error messages. */
    public static String range() {
        return format(EARLIEST) + " to " + format(LATEST);
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
