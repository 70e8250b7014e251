package dev.asof.reconstruction.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The time budget and the circuit breaker, with reads that fail, hang or have bugs. */
class ProfileStoreGuardTest {

    final ProfileStoreGuard guard = new ProfileStoreGuard(
            CircuitBreakerRegistry.ofDefaults(),
            new ReconstructionProperties(
                    Duration.ofMillis(200),
                    2,
                    new ReconstructionProperties.DynamoTimeouts(Duration.ofSeconds(1), Duration.ofMillis(500)),
                    new ReconstructionProperties.Breaker(50, 2, 2, Duration.ofSeconds(30))));
    final CircuitBreaker breaker = guard.breaker();
    final CountDownLatch never = new CountDownLatch(1);

    @AfterEach
    void close() {
        never.countDown();
        guard.close();
    }

    @Test
    void answersWhatTheReadReturns() {
        String answer = guard.call(deadline -> "profile");

        assertThat(answer).isEqualTo("profile");
        assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
    }

    @Test
    void aReadPastTheBudgetIsUnavailableAndCountsAgainstTheBreaker() {
        assertThatThrownBy(() -> guard.call(deadline -> {
                    try {
                        never.await();
                    } catch (InterruptedException cancelled) {
                        Thread.currentThread().interrupt();
                    }
                    return "too late";
                }))
                .isInstanceOf(ProfileStoreUnavailableException.class)
                .hasMessageContaining("time budget");
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    }

    @Test
    void storeFailuresOpenTheBreakerAndThenCallersAreTurnedAwayAtOnce() {
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> guard.call(deadline -> {
                        throw SdkClientException.create("connection refused");
                    }))
                    .isInstanceOf(ProfileStoreUnavailableException.class);
        }

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThatThrownBy(() -> guard.call(deadline -> "never runs"))
                .isInstanceOf(ProfileStoreUnavailableException.class)
                .hasMessageContaining("circuit breaker is open")
                .satisfies(e -> assertThat(((ProfileStoreUnavailableException) e).retryAfter())
                        .isEqualTo(Duration.ofSeconds(30)));
    }

    @Test
    void aBugIsNotTheStoresFault() {
        assertThatThrownBy(() -> guard.call(deadline -> {
                    throw new IllegalStateException("bug");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void theDeadlineStopsWorkAtItsNextCheck() {
        Deadline spent = Deadline.after(Duration.ZERO);

        assertThat(spent.passed()).isTrue();
        assertThatThrownBy(spent::check).isInstanceOf(Deadline.Exceeded.class);
        assertThat(Deadline.none().passed()).isFalse();
    }
}
