package dev.asof.matching;

import dev.asof.events.AttributeValue;
import java.time.LocalDate;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the match fields of a profile into a {@link MatchRecord}.
 *
 * <p>Only the catalog's attributes are read, in attribute-key order. A value that does not parse (a phone that is no
 * number, an email without {@code @}, a date that is no ISO date, a name without a letter) is left out, never thrown;
 * so is a blocked value ({@link MatchSettings#isBlocked}), and a phone or email that normalises to a blocked value.
 * Phones and emails keep every value; names, postcode and date of birth keep the first that is usable.
 */
public final class MatchFields {

    private MatchFields() {}

    /** The match record of a current profile's attributes. */
    public static MatchRecord from(
            String customerId, Map<String, AttributeValue> attributes, MatchCatalog catalog, MatchSettings settings) {
        Set<String> phones = new TreeSet<>();
        Set<String> emails = new TreeSet<>();
        String firstName = null;
        String lastName = null;
        String postcode = null;
        LocalDate dateOfBirth = null;
        for (Map.Entry<String, MatchField> entry : new TreeMap<>(catalog.fields()).entrySet()) {
            AttributeValue value = attributes.get(entry.getKey());
            String raw = value == null ? null : value.asText();
            if (raw == null || raw.isBlank() || settings.isBlocked(raw)) {
                continue;
            }
            switch (entry.getValue()) {
                case PHONE ->
                    Phones.toE164(raw, settings.defaultRegion())
                            .filter(phone -> !settings.isBlocked(phone))
                            .ifPresent(phones::add);
                case EMAIL ->
                    Emails.normalise(raw)
                            .filter(email -> !settings.isBlocked(email))
                            .ifPresent(emails::add);
                case FIRST_NAME -> firstName = firstName != null ? firstName : usableName(raw);
                case LAST_NAME -> lastName = lastName != null ? lastName : usableName(raw);
                case POSTCODE -> postcode = postcode != null ? postcode : Postcodes.normalise(raw);
                case DATE_OF_BIRTH ->
                    dateOfBirth = dateOfBirth != null
                            ? dateOfBirth
                            : BirthDates.parse(raw).orElse(null);
            }
        }
        return new MatchRecord(customerId, phones, emails, firstName, lastName, postcode, dateOfBirth);
    }

    private static String usableName(String raw) {
        return Names.fold(raw) == null ? null : raw.strip();
    }
}
