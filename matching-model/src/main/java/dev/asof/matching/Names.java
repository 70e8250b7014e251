package dev.asof.matching;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;

/**
 * Names: folding and comparison levels.
 *
 * <p>{@link #fold} trims, case-folds, strips accents (Unicode NFD, combining marks removed, a few letters that do not
 * decompose spelt out: {@code ß} as {@code ss}, {@code æ} as {@code ae}, {@code ø} as {@code o}, {@code ł} as
 * {@code l}) and drops everything that is not a letter, so apostrophes, hyphens and spaces count the same:
 * {@code O'Brien}, {@code OBrien} and {@code O Brien} all fold to {@code obrien}; {@code José} to {@code jose}.
 *
 * <p>{@link #compare} gives the levels of the model, first match wins: {@code missing} (either side has no name),
 * {@code exact} (equal folds), {@code nickname} (one is a known short form of the other, see {@link Nicknames}),
 * {@code close} (Jaro-Winkler similarity of the folds at least 0.92: one typo or transposition in a longer name),
 * {@code similar} (at least 0.85), else {@code different}.
 */
public final class Names {

    /** The comparison's name in the evidence. */
    public static final String COMPARISON = "jaro-winkler";

    static final double CLOSE = 0.92;
    static final double SIMILAR = 0.85;

    private static final JaroWinklerSimilarity JARO_WINKLER = new JaroWinklerSimilarity();

    private Names() {}

    /** The folded name (lower-case ASCII-ish letters only), or {@code null} when nothing of a name is left. */
    public static String fold(String raw) {
        if (raw == null) {
            return null;
        }
        String lower = raw.strip().toLowerCase(Locale.ROOT);
        String spelt = lower.replace("ß", "ss")
                .replace("æ", "ae")
                .replace("œ", "oe")
                .replace("ø", "o")
                .replace("ł", "l")
                .replace("đ", "d");
        String decomposed = Normalizer.normalize(spelt, Normalizer.Form.NFD);
        StringBuilder folded = new StringBuilder(decomposed.length());
        decomposed.codePoints().filter(Character::isLetter).forEach(folded::appendCodePoint);
        return folded.isEmpty() ? null : folded.toString();
    }

    /** Jaro-Winkler similarity of two folded names. */
    public static double similarity(String foldedA, String foldedB) {
        return JARO_WINKLER.apply(foldedA, foldedB);
    }

    /** The comparison level of two names as given: see the class comment. */
    public static String compare(String a, String b) {
        String foldedA = fold(a);
        String foldedB = fold(b);
        if (foldedA == null || foldedB == null) {
            return "missing";
        }
        if (foldedA.equals(foldedB)) {
            return "exact";
        }
        Set<String> canonicalA = Nicknames.canonicals(foldedA);
        if (canonicalA.stream().anyMatch(Nicknames.canonicals(foldedB)::contains)) {
            return "nickname";
        }
        double similarity = similarity(foldedA, foldedB);
        if (similarity >= CLOSE) {
            return "close";
        }
        if (similarity >= SIMILAR) {
            return "similar";
        }
        return "different";
    }
}
