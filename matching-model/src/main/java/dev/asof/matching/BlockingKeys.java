package dev.asof.matching;

import java.time.LocalDate;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.codec.digest.DigestUtils;
import org.apache.commons.codec.language.DoubleMetaphone;

/**
 * The blocking-index keys of a record: a lookup fetches the profiles that share at least one key, so it never scans.
 *
 * <ul>
 *   <li>{@code phone:+34600111222} for each phone, {@code email:maria@example.com} for each email (an email key
 *       longer than {@link #MAX_LENGTH} becomes {@code email#} and the SHA-256 of the address).
 *   <li>{@code ld:} Double Metaphone of the last name and the date of birth: finds the same person behind a
 *       different phone and email, with a misspelt first name.
 *   <li>{@code fd:} Double Metaphone of each canonical first name ({@link Nicknames}) and the date of birth: finds
 *       the same person with a misspelt or changed last name.
 *   <li>{@code fl:} Double Metaphone of each canonical first name and of the last name: finds the same person with
 *       nothing else in common (a call and a chat, no date of birth), and with a date-of-birth typo.
 *   <li>{@code lp:} Double Metaphone of the last name and the postcode: finds the same person with a first name that
 *       is neither a typo nor a known nickname.
 *   <li>{@code pd:} the postcode and the date of birth: finds the same person with both names misspelt.
 * </ul>
 *
 * Keys are deterministic, shorter than {@link #MAX_LENGTH}, and only built from values {@link MatchFields} kept, so
 * never from a blocked value (a postcode longer than 20 characters is no postcode and makes no key). Phonetic codes are the primary Double Metaphone code of the folded name ({@link Names}),
 * at most 6 characters.
 */
public final class BlockingKeys {

    /** Keys are shorter than this. */
    public static final int MAX_LENGTH = 200;

    private static final int CODE_LENGTH = 6;
    private static final int MAX_POSTCODE = 20;

    private BlockingKeys() {}

    /** The key of one phone (E.164). */
    public static String phone(String e164) {
        return "phone:" + e164;
    }

    /** The key of one normalised email. */
    public static String email(String email) {
        String key = "email:" + email;
        return key.length() < MAX_LENGTH ? key : "email#" + DigestUtils.sha256Hex(email);
    }

    /**
     * The {@code fl:} keys of a record (each canonical first name with the last name), sorted: the model reads how many
     * profiles share them to weigh a name agreement by how common the name is.
     */
    public static Set<String> names(MatchRecord record) {
        Set<String> keys = new TreeSet<>();
        String last = phonetic(Names.fold(record.lastName()));
        if (last != null) {
            firsts(record).forEach(first -> keys.add("fl:" + first + ":" + last));
        }
        return keys;
    }

    /** The keys of a record, sorted. */
    public static Set<String> of(MatchRecord record) {
        Set<String> keys = new TreeSet<>();
        record.phones().forEach(phone -> keys.add(phone(phone)));
        record.emails().forEach(email -> keys.add(email(email)));
        String last = phonetic(Names.fold(record.lastName()));
        Set<String> firsts = firsts(record);
        LocalDate born = record.dateOfBirth();
        String postcode =
                record.postcode() != null && record.postcode().length() <= MAX_POSTCODE ? record.postcode() : null;
        if (last != null && born != null) {
            keys.add("ld:" + last + ":" + born);
        }
        if (last != null && postcode != null) {
            keys.add("lp:" + last + ":" + postcode);
        }
        if (postcode != null && born != null) {
            keys.add("pd:" + postcode + ":" + born);
        }
        for (String first : firsts) {
            if (born != null) {
                keys.add("fd:" + first + ":" + born);
            }
            if (last != null) {
                keys.add("fl:" + first + ":" + last);
            }
        }
        return keys;
    }

    private static Set<String> firsts(MatchRecord record) {
        String folded = Names.fold(record.firstName());
        Set<String> firsts = new TreeSet<>();
        if (folded != null) {
            for (String canonical : Nicknames.canonicals(folded)) {
                String code = phonetic(canonical);
                if (code != null) {
                    firsts.add(code);
                }
            }
        }
        return firsts;
    }

    private static String phonetic(String folded) {
        if (folded == null) {
            return null;
        }
        DoubleMetaphone metaphone = new DoubleMetaphone();
        metaphone.setMaxCodeLen(CODE_LENGTH);
        String code = metaphone.doubleMetaphone(folded);
        return code == null || code.isEmpty() ? null : code;
    }
}
