package dev.asof.merge.matching;

import dev.asof.matching.MatchCatalog;
import dev.asof.matching.MatchField;
import dev.asof.matching.MatchLevel;
import dev.asof.matching.MatchSettings;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Match suggestion settings ({@code asof.matching.*}). The model's own settings (region, thresholds, the generic
 * limit, blocked values) default to {@link MatchSettings#defaults()}; each may be overridden here.
 *
 * @param publicBaseUrl the URL Genesys reaches merge-service at, for the generated match action
 * @param defaultRegion the ISO 3166 region national phone numbers are read in; {@code null}: the model's default
 * @param autoMergeThreshold the score from which a candidate is {@code auto_merge}; {@code null}: the model's default
 * @param reviewThreshold the score from which a candidate is {@code review}; {@code null}: the model's default
 * @param genericValueProfiles a phone or email shared by more profiles than this is generic; {@code null}: default
 * @param commonNameProfiles a full name held by more profiles than this weighs less the more profiles hold it;
 *     {@code null}: the model's default
 * @param blockedValues values never matched on (withheld numbers, placeholders); {@code null}: the model's list
 * @param prior the match probability of a pair before any comparison; {@code null}: the model's default (1/1000)
 * @param levels m and u per field and level, over the model's table: {@code
 *     asof.matching.levels.phone.exact.u=0.001} (see docs/matching.md for re-estimating them)
 * @param fields which attribute keys feed which match field; empty: the default catalog. A key with dots is written
 *     in brackets: {@code asof.matching.fields[address.postcode]=POSTCODE}
 * @param maxBlockSize a blocking key shared by more identities than this finds no candidates (it is too generic to
 *     narrow anything down; the model down-weights such values anyway)
 * @param lookupThreads threads that run the blocking-key queries of lookups at the same time; with all of them
 *     busy a lookup runs its queries one after another itself
 * @param defaultLimit candidates per answer without {@code limit}
 * @param maxLimit the largest {@code limit}
 * @param indexWait how long the index follower waits for the log writer to fold an event before indexing the view
 *     as it stands
 * @param indexRetryMaxInterval the longest pause between two tries of an event whose indexing failed because
 *     DynamoDB or the key service was away (such an event is tried until it is indexed; see {@code
 *     MatchIndexFollowerConfiguration})
 * @param indexEnabled whether this replica follows the topic to keep the index
 * @param autoMerge whether an identity whose best candidate is {@code auto_merge} is merged into it without a person
 *     ({@link AutoMerge}); off by default
 */
@Validated
@ConfigurationProperties("asof.matching")
public record MatchingProperties(
        @NotBlank @DefaultValue("http://localhost:8083") String publicBaseUrl,
        String defaultRegion,
        Double autoMergeThreshold,
        Double reviewThreshold,
        Integer genericValueProfiles,
        Integer commonNameProfiles,
        Set<String> blockedValues,
        Double prior,
        Map<MatchField, Map<String, MatchLevel>> levels,
        Map<String, MatchField> fields,
        @Min(1) @Max(10_000) @DefaultValue("200") int maxBlockSize,
        @Min(1) @Max(256) @DefaultValue("32") int lookupThreads,
        @Min(1) @Max(50) @DefaultValue("5") int defaultLimit,
        @Min(1) @Max(50) @DefaultValue("20") int maxLimit,
        @NotNull @DefaultValue("30s") Duration indexWait,

        @NotNull @DurationMin(millis = 1) @DefaultValue("5s")
        Duration indexRetryMaxInterval,

        @DefaultValue("true") boolean indexEnabled,
        @DefaultValue("false") boolean autoMerge) {

    /** The attribute catalog of match fields. */
    public MatchCatalog catalog() {
        return fields == null || fields.isEmpty() ? MatchCatalog.defaults() : new MatchCatalog(fields);
    }

    /** The model's settings: its defaults, with what is set here. */
    public MatchSettings settings() {
        MatchSettings defaults = MatchSettings.defaults();
        return new MatchSettings(
                defaultRegion != null ? defaultRegion : defaults.defaultRegion(),
                autoMergeThreshold != null ? autoMergeThreshold : defaults.autoMergeThreshold(),
                reviewThreshold != null ? reviewThreshold : defaults.reviewThreshold(),
                genericValueProfiles != null ? genericValueProfiles : defaults.genericValueProfiles(),
                commonNameProfiles != null ? commonNameProfiles : defaults.commonNameProfiles(),
                blockedValues != null ? blockedValues : defaults.blockedValues(),
                prior != null ? prior : defaults.prior(),
                levels(defaults.levels()));
    }

    /** The model's m/u table with the levels set here put over it. */
    private Map<MatchField, Map<String, MatchLevel>> levels(Map<MatchField, Map<String, MatchLevel>> defaults) {
        if (levels == null || levels.isEmpty()) {
            return defaults;
        }
        Map<MatchField, Map<String, MatchLevel>> merged = new java.util.EnumMap<>(MatchField.class);
        defaults.forEach((field, table) -> merged.put(field, new java.util.TreeMap<>(table)));
        levels.forEach((field, table) -> table.forEach((level, mu) -> {
            if (!merged.get(field).containsKey(level)) {
                throw new IllegalArgumentException("asof.matching.levels: " + field + " has no level " + level
                        + "; its levels are " + merged.get(field).keySet());
            }
            merged.get(field).put(level, mu);
        }));
        return merged;
    }
}
