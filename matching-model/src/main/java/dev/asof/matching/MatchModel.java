package dev.asof.matching;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Scores a candidate against a query, Fellegi-Sunter style, and explains the score.
 *
 * <p>Each field is compared to one level (see {@link Names}, {@link Postcodes}, {@link BirthDates}; phones and emails
 * are {@code exact} when the two sets share a value, {@code generic} when every shared value is held by more than
 * {@link MatchSettings#genericValueProfiles()} indexed profiles, {@code different} when both have values and share
 * none). The level's weight is {@code log2(m/u)} from {@link MatchSettings#levels()}; {@code missing} weighs 0. The
 * match log-odds are {@code log2(prior/(1-prior))} plus the sum of the weights, and the score is the posterior
 * probability {@code 1 / (1 + 2^-logOdds)}. The decision follows the two thresholds.
 *
 * <p>One departure from independent fields: when the phones agree (personal or generic), last-name and postcode
 * agreement are weighed at their {@code exact-shared-phone} and {@code close-shared-phone} levels, because the
 * non-matches that share a phone are mostly the household (same last name, same postcode) or colleagues behind one
 * switchboard (same office postcode), who share those too. Without it a household member would out-score a real
 * duplicate.
 *
 * <p>Another: a full name held by many indexed profiles weighs less ({@link MatchSettings#commonNameProfiles()}),
 * read from the count of the {@code fl:} blocking key the two share, which a lookup has already queried.
 *
 * <p>Merge protection: blocked values never reach the model ({@link MatchFields} drops them); a generic phone or
 * email alone cannot reach review ({@link MatchSettings} refuses settings where it could); and a candidate reaches
 * {@link MatchDecision#AUTO_MERGE} only with a personal identifier in common (a non-generic phone or email, or the
 * date of birth exact or within a typo): names and a postcode are shared by households and namesakes, so on their
 * own, however high the score, they are {@link MatchDecision#REVIEW} at most. Pure and thread-safe.
 */
public final class MatchModel {

    private final MatchSettings settings;
    private final double priorLogOdds;

    public MatchModel(MatchSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.priorLogOdds = MatchSettings.log2(settings.prior() / (1 - settings.prior()));
    }

    /** The candidate's score, decision and evidence, one entry per field in {@link MatchField} order. */
    public Candidate score(MatchRecord query, MatchRecord candidate, KeyFrequencies frequencies) {
        String phone = contactLevel(query.phones(), candidate.phones(), BlockingKeys::phone, frequencies);
        String email = contactLevel(query.emails(), candidate.emails(), BlockingKeys::email, frequencies);
        String lastName = Names.compare(query.lastName(), candidate.lastName());
        String postcode = Postcodes.compare(query.postcode(), candidate.postcode());
        String dateOfBirth = BirthDates.compare(query.dateOfBirth(), candidate.dateOfBirth());
        if (phone.equals("exact") || phone.equals("generic")) {
            lastName = lastName.equals("exact") || lastName.equals("close") ? lastName + "-shared-phone" : lastName;
            postcode = postcode.equals("exact") ? "exact-shared-phone" : postcode;
        }
        List<Evidence> evidence = new ArrayList<>(MatchField.values().length);
        evidence.add(evidence(MatchField.PHONE, "e164-exact", phone));
        evidence.add(evidence(MatchField.EMAIL, "normalised-exact", email));
        Evidence firstNameEvidence = evidence(
                MatchField.FIRST_NAME, Names.COMPARISON, Names.compare(query.firstName(), candidate.firstName()));
        Evidence lastNameEvidence = evidence(MatchField.LAST_NAME, Names.COMPARISON, lastName);
        double commonName = commonNameDiscount(query, candidate, frequencies);
        double nameWeight = Math.max(0, firstNameEvidence.weight()) + Math.max(0, lastNameEvidence.weight());
        if (commonName > 0 && nameWeight > 0) {
            // never more than the names gave: a common name says little, not that the two are different people
            double discount = Math.min(commonName, nameWeight);
            firstNameEvidence = discounted(firstNameEvidence, discount, nameWeight);
            lastNameEvidence = discounted(lastNameEvidence, discount, nameWeight);
        }
        evidence.add(firstNameEvidence);
        evidence.add(lastNameEvidence);
        evidence.add(evidence(MatchField.POSTCODE, Postcodes.COMPARISON, postcode));
        evidence.add(evidence(MatchField.DATE_OF_BIRTH, BirthDates.COMPARISON, dateOfBirth));
        double logOdds = priorLogOdds;
        for (Evidence each : evidence) {
            logOdds += each.weight();
        }
        double score = 1 / (1 + Math.pow(2, -logOdds));
        boolean identified = phone.equals("exact")
                || email.equals("exact")
                || dateOfBirth.equals("exact")
                || dateOfBirth.equals("typo");
        return new Candidate(candidate.customerId(), score, decide(score, identified), evidence);
    }

    /**
     * Term frequency: how much less a full-name agreement weighs because the name is common. When the two records share
     * a full-name key ({@link BlockingKeys#names}), the key held by the fewest profiles counts: held by {@code k} more
     * profiles than {@link MatchSettings#commonNameProfiles()}, the names weigh {@code log2(k / commonNameProfiles)}
     * less. Only ever a discount (a rare name is not raised above its level's weight), so auto-merge never gets
     * easier.
     */
    private double commonNameDiscount(MatchRecord query, MatchRecord candidate, KeyFrequencies frequencies) {
        if (query.firstName() == null || query.lastName() == null) {
            return 0;
        }
        Set<String> shared = new TreeSet<>(BlockingKeys.names(query));
        shared.retainAll(BlockingKeys.names(candidate));
        int fewest = Integer.MAX_VALUE;
        for (String key : shared) {
            fewest = Math.min(fewest, frequencies.profilesSharing(key));
        }
        return fewest == Integer.MAX_VALUE || fewest <= settings.commonNameProfiles()
                ? 0
                : MatchSettings.log2((double) fewest / settings.commonNameProfiles());
    }

    /** The evidence with its share of {@code discount}: its part of the names' positive {@code nameWeight}. */
    private static Evidence discounted(Evidence evidence, double discount, double nameWeight) {
        if (evidence.weight() <= 0) {
            return evidence;
        }
        double weight = evidence.weight() - discount * evidence.weight() / nameWeight;
        return new Evidence(evidence.attribute(), evidence.comparison(), evidence.level(), weight);
    }

    private MatchDecision decide(double score, boolean identified) {
        if (score >= settings.autoMergeThreshold()) {
            return identified ? MatchDecision.AUTO_MERGE : MatchDecision.REVIEW;
        }
        if (score >= settings.reviewThreshold()) {
            return MatchDecision.REVIEW;
        }
        return MatchDecision.NONE;
    }

    private String contactLevel(
            Set<String> query, Set<String> candidate, Function<String, String> key, KeyFrequencies frequencies) {
        if (query.isEmpty() || candidate.isEmpty()) {
            return "missing";
        }
        boolean shared = false;
        for (String value : query) {
            if (candidate.contains(value)) {
                if (frequencies.profilesSharing(key.apply(value)) <= settings.genericValueProfiles()) {
                    return "exact";
                }
                shared = true;
            }
        }
        return shared ? "generic" : "different";
    }

    private Evidence evidence(MatchField field, String comparison, String level) {
        MatchLevel weights = settings.level(field, level);
        double weight = weights == null ? 0 : weights.weight();
        return new Evidence(field.defaultAttribute(), comparison, level, weight);
    }
}
