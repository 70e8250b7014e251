package dev.asof.support.web;

import dev.asof.events.Identifiers;
import dev.asof.events.Timestamps;
import dev.asof.events.Violation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Parsing and checking of the query parameters the read endpoints share, with problem+json 400s that name them. */
public final class RequestParameters {

    /** The forms a time parameter may take, as shown in 400s. */
    public static final String ACCEPTED_FORMS =
            "an ISO-8601 instant with Z or an offset (2026-11-26T14:30:05Z, 2026-11-26T15:30:05+01:00)"
                    + " or epoch milliseconds (1795703405000)";

    private RequestParameters() {}

    /**
     * The range a read may ask about, in both forms: year 1 to 9999. Before {@link Timestamps#EARLIEST} no event
     * can exist, so such a read is answered like any time before a customer's first event.
     */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    /**
     * Parses an instant in one of the {@link #ACCEPTED_FORMS}, cut to whole milliseconds. Both forms accept the
     * same range, {@code 0001-01-01T00:00:00Z} to {@link Timestamps#LATEST}; outside it the rule is {@code range}.
     */
    public static Instant instant(String name, String text) {
        Optional<Instant> parsed = isEpochMillis(text) ? epochMillis(text) : Timestamps.parse(text);
        Instant instant = parsed.orElseThrow(() -> invalid(
                name,
                "timestamp",
                "'" + Problems.quoted(text) + "' is not a valid " + name + "; use " + ACCEPTED_FORMS));
        if (instant.isBefore(EARLIEST) || instant.isAfter(Timestamps.LATEST)) {
            throw invalid(
                    name,
                    "range",
                    "'" + Problems.quoted(text) + "' is outside the supported range " + Timestamps.format(EARLIEST)
                            + " to "
                            + Timestamps.format(Timestamps.LATEST) + " (epoch milliseconds " + EARLIEST.toEpochMilli()
                            + " to " + Timestamps.LATEST.toEpochMilli() + ")");
        }
        return instant;
    }

    private static boolean isEpochMillis(String text) {
        String digits = text.startsWith("-") ? text.substring(1) : text;
        return !digits.isEmpty() && digits.length() <= 19 && digits.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Epoch milliseconds; a number too large for a long is simply out of range. */
    private static Optional<Instant> epochMillis(String text) {
        try {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(text)));
        } catch (NumberFormatException e) {
            return Optional.of(text.startsWith("-") ? Instant.MIN : Instant.MAX);
        }
    }

    /** An optional instant: {@code null} stays {@code null}. */
    public static Instant optionalInstant(String name, String text) {
        return text == null ? null : instant(name, text);
    }

    /** A customer id as the event contract allows it ({@link Identifiers}). */
    public static String customerId(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw invalid(name, "required", name + " is required");
        }
        if (value.length() > Identifiers.MAX_LENGTH) {
            throw invalid(name, "maxLength", name + " has more than " + Identifiers.MAX_LENGTH + " characters");
        }
        if (!Identifiers.isValid(value)) {
            throw invalid(
                    name,
                    "pattern",
                    name + " '" + Problems.quoted(value) + "' must match the pattern " + Identifiers.PATTERN
                            + " (ASCII letters, digits and . _ - : @ + =)");
        }
        return value;
    }

    /**
     * A list's {@code limit} parameter: a whole number from 1 to {@code max} in plain decimal digits; {@code
     * fallback} when absent; else a {@code 400} naming {@code limit} (a sign, hexadecimal, spaces or an empty value
     * too: Spring's own conversion read {@code 0x10} as 16).
     */
    public static int limit(String text, int fallback, int max) {
        return wholeNumber("limit", text, fallback, max);
    }

    /**
     * A whole-number parameter {@code name}: 1 to {@code max} in plain decimal digits; {@code fallback} when absent;
     * else a {@code 400} naming it, as for {@link #limit}.
     */
    public static int wholeNumber(String name, String text, int fallback, int max) {
        if (text == null) {
            return fallback;
        }
        int value = -1;
        if (text.length() <= 9 && !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            value = Integer.parseInt(text);
        }
        if (value < 1 || value > max) {
            throw invalid(name, "range", name + " must be a whole number from 1 to " + max);
        }
        return value;
    }

    /** A 400 naming the parameter and the rule it breaks. */
    public static ApiProblemException invalid(String name, String rule, String message) {
        return new ApiProblemException(ApiExceptionHandler.invalid(List.of(new Violation(name, rule, message))));
    }
}
