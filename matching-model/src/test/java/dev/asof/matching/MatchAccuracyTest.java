package dev.asof.matching;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Matching accuracy on a seeded synthetic population of 2,000 profiles ({@link SyntheticPeople}). Another seed:
 * {@code -Dasof.matching.seed=...}. Asserts the floors (auto_merge precision >= 0.98, recall over both bands
 * >= 0.90); prints the targets (F1 >= 0.95, auto_merge precision >= 0.995). No timing is asserted.
 */
class MatchAccuracyTest {

    private static final long SEED = Long.getLong("asof.matching.seed", 20261130L);

    @Test
    void atTwoThousandProfiles() {
        SyntheticPeople.Population population = SyntheticPeople.generate(SEED, 2_000);
        System.out.println("matching accuracy seed: " + SEED + " (rerun with -Dasof.matching.seed=" + SEED + ")");
        System.out.println("profiles per person: " + SyntheticPeople.profilesPerPerson(population));

        MatchEvaluation.Figures figures = MatchEvaluation.run(population, MatchSettings.defaults());
        System.out.println(figures.report());
        if (Boolean.getBoolean("asof.matching.mistakes")) {
            MatchEvaluation.mistakes(population, MatchSettings.defaults(), 60).forEach(System.out::println);
        }

        assertThat(figures.autoPrecision()).as("auto_merge precision").isGreaterThanOrEqualTo(0.98);
        assertThat(figures.bothRecall()).as("recall over auto_merge+review").isGreaterThanOrEqualTo(0.90);
    }

    @Test
    void theSameSeedGivesTheSamePopulation() {
        assertThat(SyntheticPeople.generate(SEED, 300)).isEqualTo(SyntheticPeople.generate(SEED, 300));
        assertThat(SyntheticPeople.generate(SEED, 300)).isNotEqualTo(SyntheticPeople.generate(SEED + 1, 300));
    }
}
