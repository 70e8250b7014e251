package dev.asof.matching;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Dates of birth. Only ISO dates are read ({@code 1985-03-14}, or the date part of an ISO date-time):
 * {@code 03/04/1985} is April in Madrid and March in Boston, so it is left out rather than guessed. Years before 1900
 * and after 2100 are left out as placeholders.
 *
 * <p>Levels: {@code missing}, {@code exact}, {@code typo} (day and month swapped, or the eight digits {@code yyyyMMdd}
 * differ in exactly one digit or by one swap of neighbouring digits), else {@code different}.
 */
public final class BirthDates {

    /** The comparison's name in the evidence. */
    public static final String COMPARISON = "date-typo";

    private BirthDates() {}

    /** The date, or empty when it is no ISO date in range. */
    public static Optional<LocalDate> parse(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String text = raw.strip();
        if (text.length() > 10 && text.charAt(10) == 'T') {
            text = text.substring(0, 10);
        }
        try {
            LocalDate date = LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE);
            if (date.getYear() < 1900 || date.getYear() > 2100) {
                return Optional.empty();
            }
            return Optional.of(date);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The comparison level of two dates. */
    public static String compare(LocalDate a, LocalDate b) {
        if (a == null || b == null) {
            return "missing";
        }
        if (a.equals(b)) {
            return "exact";
        }
        if (a.getYear() == b.getYear()
                && a.getMonthValue() == b.getDayOfMonth()
                && a.getDayOfMonth() == b.getMonthValue()) {
            return "typo";
        }
        String digitsA = a.format(DateTimeFormatter.BASIC_ISO_DATE);
        String digitsB = b.format(DateTimeFormatter.BASIC_ISO_DATE);
        return oneDigitOff(digitsA, digitsB) || neighboursSwapped(digitsA, digitsB) ? "typo" : "different";
    }

    private static boolean oneDigitOff(String a, String b) {
        int differences = 0;
        for (int i = 0; i < a.length(); i++) {
            if (a.charAt(i) != b.charAt(i)) {
                differences++;
            }
        }
        return differences == 1;
    }

    private static boolean neighboursSwapped(String a, String b) {
        for (int i = 0; i + 1 < a.length(); i++) {
            if (a.charAt(i) != b.charAt(i)) {
                return a.charAt(i) == b.charAt(i + 1)
                        && a.charAt(i + 1) == b.charAt(i)
                        && a.substring(i + 2).equals(b.substring(i + 2));
            }
        }
        return false;
    }
}
