package dev.asof.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReconstructionBenchmarkTest {

    @Test
    void theDeepestDepthIsComparedWithTheHundredEventDepthWhateverTheList() {
        assertThat(ReconstructionBenchmark.referenceDepth(new int[] {10, 100, 1_000, 10_000, 100_000}))
                .isEqualTo(100);
        // the case: depths[1] was 100,000 itself, so the ratio printed 1.00
        assertThat(ReconstructionBenchmark.referenceDepth(new int[] {100, 100_000}))
                .isEqualTo(100);
        assertThat(ReconstructionBenchmark.referenceDepth(new int[] {1_000, 100_000}))
                .isEqualTo(1_000);
    }
}
