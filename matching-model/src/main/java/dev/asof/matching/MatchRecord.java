package dev.asof.matching;

import java.time.LocalDate;
import java.util.Set;

/**
 * The match fields of one profile, normalised (see {@link MatchFields#from}). Sets may be empty; strings and the date
 * may be {@code null} when the profile has no usable value.
 *
 * @param customerId the profile; {@code null} for a query that is no profile (a lookup by attributes)
 * @param phones E.164, e.g. {@code +34600111222}
 * @param emails normalised by {@link Emails#normalise}
 * @param firstName as given, trimmed; compared through {@link Names}
 * @param lastName as given, trimmed; compared through {@link Names}
 * @param postcode upper case, letters and digits only
 * @param dateOfBirth the date of birth
 */
public record MatchRecord(
        String customerId,
        Set<String> phones,
        Set<String> emails,
        String firstName,
        String lastName,
        String postcode,
        LocalDate dateOfBirth) {

    public MatchRecord {
        phones = phones == null ? Set.of() : Set.copyOf(phones);
        emails = emails == null ? Set.of() : Set.copyOf(emails);
    }

    /** A record with no match fields, for tests and for a profile that has none. */
    public static MatchRecord empty(String customerId) {
        return new MatchRecord(customerId, Set.of(), Set.of(), null, null, null, null);
    }
}
