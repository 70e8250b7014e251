package dev.asof.reconstruction.web;

import dev.asof.events.Timestamps;
import dev.asof.events.Violation;
import dev.asof.support.web.ApiExceptionHandler;
import dev.asof.support.web.ApiProblemException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Parsing and checking of the query parameters the read endpoints share, with problem+json 400s that name them. */
public final class RequestParameters {

    /** The forms a time parameter may take, as shown in 400s. */
    public static final String ACCEPTED_FORMS =
            "an ISO-8601 instant with Z or an offset (2026-11-26T14:30:05Z, 2026-11-26T15:30:05+01:00)"
                    + " or epoch milliseconds (1795703405000)";

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");
    private static final int MAX_CUSTOMER_ID_LENGTH = 128;

    private RequestParameters() {}

    /** Parses an instant in one of the {@link #ACCEPTED_FORMS}, cut to whole milliseconds. */
    public static Instant instant(String name, String text) {
        Optional<Instant> parsed =
                !text.isEmpty() && text.length() <= 15 && text.chars().allMatch(Character::isDigit)
                        ? Optional.of(Instant.ofEpochMilli(Long.parseLong(text)))
                        : Timestamps.parse(text);
        Instant instant = parsed.orElseThrow(
                () -> invalid(name, "timestamp", "'" + text + "' is not a valid " + name + "; use " + ACCEPTED_FORMS));
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw invalid(
                    name,
                    "timestamp",
                    "'" + text + "' is outside the supported range " + Timestamps.format(EARLIEST) + " to "
                            + Timestamps.format(LATEST));
        }
        return instant;
    }

    /** An optional instant: {@code null} stays {@code null}. */
    public static Instant optionalInstant(String name, String text) {
        return text == null ? null : instant(name, text);
    }

    /** A customer id as the event contract allows it: 1 to 128 characters. */
    public static String customerId(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw invalid(name, "required", name + " is required");
        }
        if (value.length() > MAX_CUSTOMER_ID_LENGTH) {
            throw invalid(name, "maxLength", name + " has more than " + MAX_CUSTOMER_ID_LENGTH + " characters");
        }
        return value;
    }

    /** A 400 naming the parameter and the rule it breaks. */
    public static ApiProblemException invalid(String name, String rule, String message) {
        return new ApiProblemException(ApiExceptionHandler.invalid(List.of(new Violation(name, rule, message))));
    }
}
