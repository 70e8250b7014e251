package dev.asof.matching;

import java.util.Locale;

/**
 * What a candidate's score means, by the two thresholds of {@link MatchSettings}: at or above
 * {@code autoMergeThreshold} {@link #AUTO_MERGE}, at or above {@code reviewThreshold} {@link #REVIEW}, else
 * {@link #NONE}. On the wire: {@code auto_merge}, {@code review}, {@code none}.
 */
public enum MatchDecision {
    AUTO_MERGE,
    REVIEW,
    NONE;

    /** The name on the wire: {@code auto_merge}, {@code review} or {@code none}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
