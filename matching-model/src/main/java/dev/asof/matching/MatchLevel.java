package dev.asof.matching;

/**
 * One comparison level of one field in the Fellegi-Sunter model: {@code m} is the probability of the level among
 * pairs that are the same person, {@code u} among pairs that are not. Its weight is {@code log2(m/u)}: the log2
 * Bayes factor the level contributes to a pair's match odds.
 */
public record MatchLevel(double m, double u) {

    public MatchLevel {
        if (!(m > 0 && m <= 1) || !(u > 0 && u <= 1)) {
            throw new IllegalArgumentException("m and u must be in (0, 1]");
        }
    }

    /** {@code log2(m/u)}. */
    public double weight() {
        return Math.log(m / u) / Math.log(2);
    }
}
