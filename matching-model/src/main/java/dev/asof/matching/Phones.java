package dev.asof.matching;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Phone numbers to E.164 with libphonenumber.
 *
 * <p>A number written in national format ({@code (415) 555-2671}, {@code 600 111 222}) is read in the configured
 * default region ({@link MatchSettings#defaultRegion()}, {@code US} by default); a number with {@code +} or with the
 * {@code 00} international prefix ({@code 0034 600 111 222}) is read as international whatever the region. Spaces,
 * dashes, dots and parentheses are ignored, as is a trailing extension ({@code x12}, {@code ext. 12}). What is left out
 * rather than guessed at: text with letters (no vanity numbers: {@code anonymous} must never become digits), numbers
 * libphonenumber does not consider valid for their region, and numbers made of one repeated digit.
 */
public final class Phones {

    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    private static final Pattern EXTENSION = Pattern.compile("(?i)\\s*(?:ext\\.?|extension|x|#)\\s*\\d{1,6}\\s*$");
    private static final Pattern LETTERS = Pattern.compile("\\p{L}");

    private Phones() {}

    /** The number in E.164 ({@code +14155552671}), or empty when it is no valid phone number. */
    public static Optional<String> toE164(String raw, String defaultRegion) {
        if (raw == null) {
            return Optional.empty();
        }
        String text = EXTENSION.matcher(raw.strip()).replaceFirst("");
        if (text.isEmpty() || LETTERS.matcher(text).find()) {
            return Optional.empty();
        }
        String digits = text.replaceAll("[^0-9+]", "");
        if (digits.indexOf('+', 1) >= 0) {
            return Optional.empty();
        }
        if (digits.startsWith("00")) {
            digits = "+" + digits.substring(2);
        }
        if (digits.replace("+", "").chars().distinct().count() <= 1) {
            return Optional.empty();
        }
        try {
            PhoneNumber number = UTIL.parse(digits, defaultRegion);
            if (!UTIL.isValidNumber(number)) {
                return Optional.empty();
            }
            return Optional.of(UTIL.format(number, PhoneNumberFormat.E164));
        } catch (NumberParseException e) {
            return Optional.empty();
        }
    }
}
