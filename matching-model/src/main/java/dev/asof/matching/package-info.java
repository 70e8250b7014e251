/**
 * The pure model of match suggestions: no Spring, no DynamoDB, no Kafka (merge-service keeps the index, the lookup
 * and the endpoints in {@code dev.asof.merge.matching}).
 *
 * <ol>
 *   <li>{@link dev.asof.matching.MatchFields} reads a profile's catalog attributes into a normalised
 *       {@link dev.asof.matching.MatchRecord} ({@link dev.asof.matching.Phones},
 *       {@link dev.asof.matching.Emails}, {@link dev.asof.matching.Names},
 *       {@link dev.asof.matching.Postcodes}, {@link dev.asof.matching.BirthDates}), dropping blocked and
 *       unparseable values.
 *   <li>{@link dev.asof.matching.BlockingKeys} gives the record's index keys; the index answers which profiles
 *       share a key and how many ({@link dev.asof.matching.KeyFrequencies}).
 *   <li>{@link dev.asof.matching.MatchModel} scores each candidate Fellegi-Sunter style with the m/u table of
 *       {@link dev.asof.matching.MatchSettings}, and returns a
 *       {@link dev.asof.matching.Candidate} with its posterior score, decision and per-field
 *       {@link dev.asof.matching.Evidence}.
 * </ol>
 *
 * Accuracy is measured by {@code MatchAccuracyTest} on the seeded synthetic population of {@code SyntheticPeople}.
 */
package dev.asof.matching;
