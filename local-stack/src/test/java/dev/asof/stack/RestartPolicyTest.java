package dev.asof.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {

    private static final Duration QUICK = Duration.ofSeconds(3);

    private final RestartPolicy policy =
            new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1), 8);

    @Test
    void theBackoffDoublesUpToItsCap() {
        List<Duration> backoffs = new ArrayList<>();
        int rapidFailures = 0;
        for (int i = 0; i < 8; i++) {
            RestartPolicy.Decision decision = policy.afterExit(rapidFailures, QUICK);
            rapidFailures = decision.rapidFailures();
            backoffs.add(decision.restartAfter().orElseThrow());
        }

        assertThat(backoffs)
                .containsExactly(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(4),
                        Duration.ofSeconds(8),
                        Duration.ofSeconds(16),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30));
        assertThat(rapidFailures).isEqualTo(8);
    }

    @Test
    void aChildThatStayedUpLongEnoughStartsOverAtTheFirstBackoff() {
        RestartPolicy.Decision afterFourQuickFailures = policy.afterExit(3, QUICK);
        assertThat(afterFourQuickFailures.restartAfter()).contains(Duration.ofSeconds(8));

        RestartPolicy.Decision afterAStableRun =
                policy.afterExit(afterFourQuickFailures.rapidFailures(), Duration.ofMinutes(1));

        assertThat(afterAStableRun).isEqualTo(new RestartPolicy.Decision(1, Optional.of(Duration.ofSeconds(1))));
        assertThat(policy.afterExit(0, Duration.ofSeconds(59)).rapidFailures()).isEqualTo(1);
        assertThat(policy.afterExit(1, Duration.ofSeconds(59)).rapidFailures()).isEqualTo(2);
    }

    @Test
    void givesUpAfterTheLimitOfRapidFailuresInARow() {
        RestartPolicy threeInARow =
                new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1), 3);

        assertThat(threeInARow.afterExit(2, QUICK))
                .isEqualTo(new RestartPolicy.Decision(3, Optional.of(Duration.ofSeconds(4))));
        assertThat(threeInARow.afterExit(3, QUICK)).isEqualTo(new RestartPolicy.Decision(4, Optional.empty()));
        assertThat(threeInARow.afterExit(3, Duration.ofMinutes(5)).restartAfter())
                .as("a stable run before the failure clears the count")
                .contains(Duration.ofSeconds(1));
    }

    @Test
    void aLimitOfZeroNeverRestarts() {
        RestartPolicy never = RestartPolicy.withMaxRapidFailures(0);

        assertThat(never.afterExit(0, QUICK).restartAfter()).isEmpty();
        assertThat(never.afterExit(0, Duration.ofHours(1)).restartAfter()).isEmpty();
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertThat(RestartPolicy.DEFAULTS)
                .isEqualTo(new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1), 5));
        assertThat(RestartPolicy.withMaxRapidFailures(2).firstBackoff()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void rejectsSettingsThatCannotWork() {
        assertThatThrownBy(() -> new RestartPolicy(Duration.ZERO, Duration.ofSeconds(30), Duration.ofMinutes(1), 5))
                .hasMessageContaining("firstBackoff");
        assertThatThrownBy(() ->
                        new RestartPolicy(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMinutes(1), 5))
                .hasMessageContaining("maxBackoff");
        assertThatThrownBy(() -> new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ZERO, 5))
                .hasMessageContaining("stableUptime");
        assertThatThrownBy(() ->
                        new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1), -1))
                .hasMessageContaining("maxRapidFailures");
    }
}
