package dev.asof.matching;

/**
 * Why a candidate scored as it did, one field at a time.
 *
 * @param attribute the match field's attribute key, e.g. {@code phone} ({@link MatchField#defaultAttribute()})
 * @param comparison how the field was compared, e.g. {@code e164-exact}, {@code jaro-winkler}
 * @param level the comparison level reached, e.g. {@code exact}, {@code close}, {@code different}, {@code missing},
 *     {@code generic}
 * @param weight the log2 Bayes factor the level contributed ({@code log2(m/u)}; 0 when missing)
 */
public record Evidence(String attribute, String comparison, String level, double weight) {}
