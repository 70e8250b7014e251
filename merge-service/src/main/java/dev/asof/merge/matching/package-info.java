/**
 * The pure core of match suggestions (issue 11): no Spring, no DynamoDB, no Kafka.
 *
 * <ol>
 *   <li>{@link dev.asof.merge.matching.MatchFields} reads a profile's catalog attributes into a normalised
 *       {@link dev.asof.merge.matching.MatchRecord} ({@link dev.asof.merge.matching.Phones},
 *       {@link dev.asof.merge.matching.Emails}, {@link dev.asof.merge.matching.Names},
 *       {@link dev.asof.merge.matching.Postcodes}, {@link dev.asof.merge.matching.BirthDates}), dropping blocked and
 *       unparseable values.
 *   <li>{@link dev.asof.merge.matching.BlockingKeys} gives the record's index keys; the index answers which profiles
 *       share a key and how many ({@link dev.asof.merge.matching.KeyFrequencies}).
 *   <li>{@link dev.asof.merge.matching.MatchModel} scores each candidate Fellegi-Sunter style with the m/u table of
 *       {@link dev.asof.merge.matching.MatchSettings}, and returns a
 *       {@link dev.asof.merge.matching.Candidate} with its posterior score, decision and per-field
 *       {@link dev.asof.merge.matching.Evidence}.
 * </ol>
 *
 * Accuracy is measured by {@code MatchAccuracyTest} on the seeded synthetic population of {@code SyntheticPeople}.
 */
package dev.asof.merge.matching;
