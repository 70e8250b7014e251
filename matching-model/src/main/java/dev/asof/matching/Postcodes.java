package dev.asof.matching;

import java.util.Locale;

/**
 * Postcodes: upper case, letters and digits only ({@code sw1a 1aa} becomes {@code SW1A1AA}, {@code 28013} stays).
 * Levels: {@code missing}, {@code exact}, {@code prefix} (the first three characters agree: the same US sectional
 * centre, UK postcode district or Spanish province-and-area, i.e. a neighbour or a typo in the last characters), else
 * {@code different}.
 */
public final class Postcodes {

    /** The comparison's name in the evidence. */
    public static final String COMPARISON = "exact-or-prefix";

    static final int PREFIX = 3;

    private Postcodes() {}

    /** The normalised postcode, or {@code null} when no letter or digit is left. */
    public static String normalise(String raw) {
        if (raw == null) {
            return null;
        }
        String kept = raw.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
        return kept.isEmpty() ? null : kept;
    }

    /** The comparison level of two normalised postcodes. */
    public static String compare(String a, String b) {
        if (a == null || b == null) {
            return "missing";
        }
        if (a.equals(b)) {
            return "exact";
        }
        if (a.length() >= PREFIX && b.length() >= PREFIX && a.regionMatches(0, b, 0, PREFIX)) {
            return "prefix";
        }
        return "different";
    }
}
