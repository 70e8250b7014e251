package dev.asof.console.web;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/** What people type into the console's fields, read leniently and checked before any service is asked. */
final class Inputs {

    /** The customer id grammar of the services ({@code docs/problems.md}). */
    static final Pattern CUSTOMER_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}$");

    static final Pattern OPAQUE_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$");

    private Inputs() {}

    /**
     * An instant from {@code 2026-11-26T14:30:05Z}, {@code 2026-11-26T14:30:05+01:00}, or a date-time without zone
     * ({@code 2026-11-26T14:30:05}, {@code 2026-11-26 14:30}, what a browser's date-time field sends), read as UTC;
     * cut to milliseconds. {@code null} for an empty field.
     *
     * @throws IllegalArgumentException naming the field when the text is none of these
     */
    static Instant instant(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String value = text.trim().replace(' ', 'T');
        if (value.length() > 40) {
            throw new IllegalArgumentException(field + ": too long for a time");
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(value).toInstant().truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException notWithZone) {
            try {
                instant = LocalDateTime.parse(value).toInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(
                        field + ": not a time; write it like 2026-11-26T14:30:05Z (UTC) or 2026-11-26T15:30:05+01:00");
            }
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new IllegalArgumentException(field + ": must be within the years 0001 to 9999");
        }
        return instant;
    }

    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    /** The instant as the services take it: ISO-8601 UTC with milliseconds. */
    static String iso(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** What a customer id may be, for people. */
    static final String NOT_A_CUSTOMER_ID =
            "Not a customer id: 1 to 128 letters, digits and ._:@+=- starting with a letter or digit.";

    static boolean customerId(String text) {
        return text != null && CUSTOMER_ID.matcher(text).matches();
    }
}
