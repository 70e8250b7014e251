package dev.asof.events;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
        if (text == null) {
            return Optional.empty();
        }
        // every logged event carries its time in the wire form: read it without java.time's general parser, which
        // took a tenth of reconstruction-service's CPU on a timeline read from the store (async-profiler)
        Instant wireForm = wireForm(text);
        return wireForm != null ? Optional.of(wireForm) : parseAnyForm(text);
    }

    /** {@link #parse} without the wire-form shortcut: java.time's ISO parser, for any offset and precision. */
    static Optional<Instant> parseAnyForm(String text) {
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

    /**
     * {@code text} read as the wire form exactly ({@code yyyy-MM-ddTHH:mm:ss.SSSZ}, ASCII digits); {@code null} when it
     * is not in that form or names no real time (then {@link #parseAnyForm} decides, and answers the same for every
     * text this accepts: {@code TimestampsTest} compares the two).
     */
    private static Instant wireForm(String text) {
        if (text.length() != 24
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != 'T'
                || text.charAt(13) != ':'
                || text.charAt(16) != ':'
                || text.charAt(19) != '.'
                || text.charAt(23) != 'Z') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int millis = digits(text, 20, 23);
        if ((year | month | day | hour | minute | second | millis) < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, millis * 1_000_000)
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeException noSuchTime) {
            return null;
        }
    }

    /** The number written by the ASCII digits {@code text[from, to)}; -1 when one of them is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
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
