package dev.asof.matching;

import java.util.List;

/**
 * One scored candidate.
 *
 * @param customerId the candidate profile
 * @param score the posterior probability (0..1) that query and candidate are the same person
 * @param decision the band the score falls in
 * @param evidence one entry per match field, in {@link MatchField} order
 */
public record Candidate(String customerId, double score, MatchDecision decision, List<Evidence> evidence) {

    public Candidate {
        evidence = List.copyOf(evidence);
    }
}
