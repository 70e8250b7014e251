package dev.asof.matching;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything the matcher can be tuned by. {@link #defaults()} gives values chosen for contact-centre data and checked
 * against the synthetic population of the accuracy test.
 *
 * @param defaultRegion the ISO 3166 region national-format phone numbers are read in; default {@code US}. A contact
 *     centre whose callers are mostly in one country sets its own ({@code ES}, {@code GB}, ...): the region never
 *     changes a number written with {@code +} or {@code 00}
 * @param autoMergeThreshold score at or above which a candidate is {@link MatchDecision#AUTO_MERGE}
 * @param reviewThreshold score at or above which a candidate is {@link MatchDecision#REVIEW}
 * @param genericValueProfiles a phone or email shared by more indexed profiles than this is generic (a switchboard,
 *     a shared mailbox) and is compared at the {@code generic} level
 * @param commonNameProfiles a full name (first and last name, as its {@code fl:} blocking key) held by more indexed
 *     profiles than this is common: agreement on it weighs {@code log2(profiles / commonNameProfiles)} less (term
 *     frequency, see {@link MatchModel})
 * @param blockedValues values that never count, in any field (placeholders such as {@code anonymous},
 *     {@code unknown}, {@code 0000000000}); given raw, held and compared as {@link #blockKey} forms
 * @param prior the match probability of a pair before any comparison. The u probabilities are those of pairs of
 *     different people in general, so the prior is that of a pair in general too: low (1/1000, log-odds -9.96) although
 *     pairs that share a blocking key are the same person far more often. Raising it raises every score
 * @param levels per field, the m and u probabilities of each comparison level; {@code missing} is never in the table
 *     (it contributes 0)
 */
public record MatchSettings(
        String defaultRegion,
        double autoMergeThreshold,
        double reviewThreshold,
        int genericValueProfiles,
        int commonNameProfiles,
        Set<String> blockedValues,
        double prior,
        Map<MatchField, Map<String, MatchLevel>> levels) {

    private static final int COMMON_NAME_PROFILES = 4;

    /** The levels each field must have in {@link #levels}, besides {@code missing}. */
    public static final Map<MatchField, List<String>> REQUIRED_LEVELS = Map.of(
            MatchField.PHONE,
            List.of("exact", "generic", "different"),
            MatchField.EMAIL,
            List.of("exact", "generic", "different"),
            MatchField.FIRST_NAME,
            List.of("exact", "nickname", "close", "similar", "different"),
            MatchField.LAST_NAME,
            List.of("exact", "exact-shared-phone", "close", "close-shared-phone", "similar", "different"),
            MatchField.POSTCODE,
            List.of("exact", "exact-shared-phone", "prefix", "different"),
            MatchField.DATE_OF_BIRTH,
            List.of("exact", "typo", "different"));

    public MatchSettings {
        Objects.requireNonNull(defaultRegion, "defaultRegion");
        if (!(reviewThreshold > 0 && reviewThreshold <= autoMergeThreshold && autoMergeThreshold < 1)) {
            throw new IllegalArgumentException("thresholds must satisfy 0 < reviewThreshold <= autoMergeThreshold < 1");
        }
        if (genericValueProfiles < 1) {
            throw new IllegalArgumentException("genericValueProfiles must be at least 1");
        }
        if (commonNameProfiles < 1) {
            throw new IllegalArgumentException("commonNameProfiles must be at least 1");
        }
        if (!(prior > 0 && prior < 1)) {
            throw new IllegalArgumentException("prior must be in (0, 1)");
        }
        blockedValues = blockedValues.stream()
                .map(MatchSettings::blockKey)
                .filter(key -> !key.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        Map<MatchField, Map<String, MatchLevel>> copy = new EnumMap<>(MatchField.class);
        for (MatchField field : MatchField.values()) {
            Map<String, MatchLevel> fieldLevels = levels.get(field);
            for (String level : REQUIRED_LEVELS.get(field)) {
                if (fieldLevels == null || !fieldLevels.containsKey(level)) {
                    throw new IllegalArgumentException("no m/u for level " + level + " of " + field);
                }
            }
            copy.put(field, Map.copyOf(fieldLevels));
        }
        levels = Map.copyOf(copy);
        // Merge protection, checked rather than hoped for: generic values alone stay below review.
        double genericOnly = log2(prior / (1 - prior))
                + Math.max(0, copy.get(MatchField.PHONE).get("generic").weight())
                + Math.max(0, copy.get(MatchField.EMAIL).get("generic").weight());
        if (genericOnly >= log2(reviewThreshold / (1 - reviewThreshold))) {
            throw new IllegalArgumentException("a generic phone and email alone would reach review");
        }
    }

    /**
     * The defaults. Region {@code US}; auto-merge at 0.99, review at 0.60; a phone or email shared by more than 5
     * profiles is generic; prior 1/1000. The m/u table (weight = log2(m/u)):
     *
     * <ul>
     *   <li>m: how often the level occurs between two profiles of one person. Set from what contact-centre duplicates
     *       look like (one channel each, typos, nicknames, old addresses) and checked against the synthetic
     *       population of {@code MatchAccuracyTest}; re-estimate them from confirmed merges.
     *   <li>u: how often the level occurs between two different people. For an exact phone or email about one in a few
     *       thousand (households and shared numbers, not 1/N); for names from name frequencies (the commonest first
     *       names cover ~1%, last names ~0.5%); for a date of birth 1/365 x 1/60 years, raised for birthday
     *       clustering; for postcodes one in a hundred.
     *   <li>{@code exact-shared-phone}, {@code close-shared-phone}: when the phones already agree, household members
     *       (same phone, same last name, same postcode) and colleagues (same switchboard, same office) are the usual
     *       non-matches, so last name and postcode agreement say little more; their u is conditioned on the phone
     *       agreeing.
     *   <li>A date of birth that differs by more than a typo is rare between two profiles of one person (m = 0.01):
     *       it is the strongest evidence against a match.
     *   <li>{@code generic}: a value shared by more than {@code genericValueProfiles} profiles (a household landline, a
     *       switchboard) says little on its own (+4.91, far below review; a generic phone and a generic email
     *       together, +9.83, stay below review too), but among the few people behind one number the first name tells
     *       them apart: a generic phone with an exact first name reaches review. Up to 2026-11 it weighed +0.49,
     *       which lost most duplicates within households of three or more.
     *   <li>A full name held by more than {@code commonNameProfiles} (4) profiles weighs less, by the log2 of how many
     *       times more ({@link MatchModel}): namesakes share a common name far more often than the name-level u
     *       says.
     * </ul>
     *
     * <pre>
     * field         level                 m      u        log2(m/u)
     * PHONE         exact                 0.90   0.0005   +10.81
     * PHONE         generic               0.90   0.03      +4.91
     * PHONE         different             0.10   0.9995    -3.32
     * EMAIL         exact                 0.90   0.0002   +12.14
     * EMAIL         generic               0.90   0.03      +4.91
     * EMAIL         different             0.10   0.9998    -3.32
     * FIRST_NAME    exact                 0.80   0.01      +6.32
     * FIRST_NAME    nickname              0.06   0.002     +4.91
     * FIRST_NAME    close (JW &gt;= 0.92)    0.07   0.004     +4.13
     * FIRST_NAME    similar (JW &gt;= 0.85)  0.04   0.02      +1.00
     * FIRST_NAME    different             0.03   0.964     -5.01
     * LAST_NAME     exact                 0.85   0.005     +7.41
     * LAST_NAME     exact-shared-phone    0.85   0.60      +0.50
     * LAST_NAME     close                 0.08   0.003     +4.74
     * LAST_NAME     close-shared-phone    0.08   0.05      +0.68
     * LAST_NAME     similar               0.04   0.02      +1.00
     * LAST_NAME     different             0.03   0.972     -5.02
     * POSTCODE      exact                 0.85   0.01      +6.41
     * POSTCODE      exact-shared-phone    0.85   0.80      +0.09
     * POSTCODE      prefix                0.05   0.05       0.00
     * POSTCODE      different             0.10   0.94      -3.23
     * DATE_OF_BIRTH exact                 0.90   0.0002   +12.14
     * DATE_OF_BIRTH typo                  0.09   0.002     +5.49
     * DATE_OF_BIRTH different             0.01   0.9978    -6.64
     * any           missing               -      -          0
     * </pre>
     *
     * With the prior's -9.96, review (0.60, log-odds +0.58) needs about +10.5 of evidence, auto-merge (0.99, +6.63)
     * about +16.6 and a personal identifier in common (see {@link MatchModel}).
     */
    public static MatchSettings defaults() {
        Map<MatchField, Map<String, MatchLevel>> levels = new EnumMap<>(MatchField.class);
        levels.put(
                MatchField.PHONE,
                Map.of(
                        "exact", new MatchLevel(0.90, 0.0005),
                        "generic", new MatchLevel(0.90, 0.03),
                        "different", new MatchLevel(0.10, 0.9995)));
        levels.put(
                MatchField.EMAIL,
                Map.of(
                        "exact", new MatchLevel(0.90, 0.0002),
                        "generic", new MatchLevel(0.90, 0.03),
                        "different", new MatchLevel(0.10, 0.9998)));
        levels.put(
                MatchField.FIRST_NAME,
                Map.of(
                        "exact", new MatchLevel(0.80, 0.01),
                        "nickname", new MatchLevel(0.06, 0.002),
                        "close", new MatchLevel(0.07, 0.004),
                        "similar", new MatchLevel(0.04, 0.02),
                        "different", new MatchLevel(0.03, 0.964)));
        levels.put(
                MatchField.LAST_NAME,
                Map.of(
                        "exact", new MatchLevel(0.85, 0.005),
                        "exact-shared-phone", new MatchLevel(0.85, 0.60),
                        "close", new MatchLevel(0.08, 0.003),
                        "close-shared-phone", new MatchLevel(0.08, 0.05),
                        "similar", new MatchLevel(0.04, 0.02),
                        "different", new MatchLevel(0.03, 0.972)));
        levels.put(
                MatchField.DATE_OF_BIRTH,
                Map.of(
                        "exact", new MatchLevel(0.90, 0.0002),
                        "typo", new MatchLevel(0.09, 0.002),
                        "different", new MatchLevel(0.01, 0.9978)));
        levels.put(
                MatchField.POSTCODE,
                Map.of(
                        "exact", new MatchLevel(0.85, 0.01),
                        "exact-shared-phone", new MatchLevel(0.85, 0.80),
                        "prefix", new MatchLevel(0.05, 0.05),
                        "different", new MatchLevel(0.10, 0.94)));
        return new MatchSettings(
                "US",
                0.99,
                0.60,
                5,
                COMMON_NAME_PROFILES,
                Set.of(
                        "anonymous",
                        "unknown",
                        "withheld",
                        "private",
                        "restricted",
                        "unavailable",
                        "blocked",
                        "none",
                        "null",
                        "n/a",
                        "test",
                        "-",
                        "0000000000",
                        "+0000000000",
                        "1234567890",
                        "noemail@noemail.com",
                        "noemail@example.com",
                        "no@email.com",
                        "none@none.com",
                        "test@test.com",
                        "unknown@unknown.com",
                        "1900-01-01"),
                0.001,
                levels);
    }

    /** Whether a raw value is a blocked placeholder: its {@link #blockKey} is one of {@link #blockedValues}. */
    public boolean isBlocked(String raw) {
        return raw != null && blockedValues.contains(blockKey(raw));
    }

    /** The m/u of one level of one field; {@code null} for {@code missing} and unknown levels. */
    public MatchLevel level(MatchField field, String level) {
        return levels.get(field).get(level);
    }

    /**
     * The form blocked values are compared in: lower case, without white space and phone punctuation ({@code +-().}),
     * so {@code +0000000000}, {@code 000-000-0000} and {@code 0000000000} are one value. Other characters stay:
     * {@code n/a} is blocked, the surname {@code Na} is not.
     */
    public static String blockKey(String raw) {
        return raw.strip().toLowerCase(Locale.ROOT).replaceAll("[\\s+\\-().]", "");
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
