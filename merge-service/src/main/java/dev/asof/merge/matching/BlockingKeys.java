package dev.asof.merge.matching;

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
 *   <li>{@code flp:} Double Metaphone of each canonical first name, of the last name, and the postcode: finds the same
 *       person without a date of birth.
 * </ul>
 *
 * Keys are deterministic, shorter than {@link #MAX_LENGTH}, and only built from values {@link MatchFields} kept, so
 * never from a blocked value. Phonetic codes are the primary Double Metaphone code of the folded name ({@link Names}),
 * at most 6 characters.
 */
public final class BlockingKeys {

    /** Keys are shorter than this. */
    public static final int MAX_LENGTH = 200;

    private static final int CODE_LENGTH = 6;

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

    /** The keys of a record, sorted. */
    public static Set<String> of(MatchRecord record) {
        Set<String> keys = new TreeSet<>();
        record.phones().forEach(phone -> keys.add(phone(phone)));
        record.emails().forEach(email -> keys.add(email(email)));
        String last = phonetic(Names.fold(record.lastName()));
        String firstFolded = Names.fold(record.firstName());
        Set<String> firsts = new TreeSet<>();
        if (firstFolded != null) {
            for (String canonical : Nicknames.canonicals(firstFolded)) {
                String code = phonetic(canonical);
                if (code != null) {
                    firsts.add(code);
                }
            }
        }
        LocalDate born = record.dateOfBirth();
        if (last != null && born != null) {
            keys.add("ld:" + last + ":" + born);
        }
        for (String first : firsts) {
            if (born != null) {
                keys.add("fd:" + first + ":" + born);
            }
            if (last != null && record.postcode() != null && record.postcode().length() <= 20) {
                keys.add("flp:" + first + ":" + last + ":" + record.postcode());
            }
        }
        return keys;
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
