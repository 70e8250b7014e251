package dev.asof.reconstruction.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the bulkhead, the time limiter and the breaker of {@link ProfileStoreGuard} work together. */
class ProfileStoreGuardCompositionTest {

    final CountDownLatch release = new CountDownLatch(1);
    final List<Thread> callers = new ArrayList<>();
    ProfileStoreGuard guard;

    ProfileStoreGuard guard(Duration budget, int maxConcurrentReads) {
        guard = new ProfileStoreGuard(
                CircuitBreakerRegistry.ofDefaults(),
                new ReconstructionProperties(
                        budget,
                        maxConcurrentReads,
                        new ReconstructionProperties.DynamoTimeouts(Duration.ofSeconds(1), Duration.ofMillis(500)),
                        new ReconstructionProperties.Breaker(50, 2, 2, Duration.ofMillis(7_500))));
        return guard;
    }

    @AfterEach
    void close() throws InterruptedException {
        release.countDown();
        for (Thread caller : callers) {
            caller.join(10_000);
        }
        guard.close();
    }

    @Test
    void beyondThePoolAndItsQueueAReadIsRefusedAtOnceWithoutCountingAgainstTheStore() {
        guard(Duration.ofSeconds(10), 1);
        // one read runs and four wait in the queue (four per thread)
        for (int i = 0; i < 5; i++) {
            Thread caller = new Thread(() -> guard.call(deadline -> {
                awaitRelease();
                return "late";
            }));
            caller.start();
            callers.add(caller);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> callers.stream().allMatch(caller -> caller.getState() == Thread.State.TIMED_WAITING));

        long start = System.nanoTime();
        assertThatThrownBy(() -> guard.call(deadline -> "never runs"))
                .isInstanceOf(ProfileStoreUnavailableException.class)
                .hasMessageContaining("Too many profile reads")
                .satisfies(e -> assertThat(((ProfileStoreUnavailableException) e).retryAfter())
                        .isEqualTo(Duration.ofSeconds(1)));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(guard.breaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aReadPastTheBudgetIsInterrupted() {
        guard(Duration.ofMillis(100), 2);
        CountDownLatch interrupted = new CountDownLatch(1);

        assertThatThrownBy(() -> guard.call(deadline -> {
                    try {
                        release.await();
                    } catch (InterruptedException cancelled) {
                        interrupted.countDown();
                    }
                    return "too late";
                }))
                .isInstanceOf(ProfileStoreUnavailableException.class)
                .hasMessageContaining("time budget of 100 ms");

        await().atMost(Duration.ofSeconds(5)).until(() -> interrupted.getCount() == 0);
    }

    @Test
    void aSpentDeadlineCountsAgainstTheStoreAndTheOpenBreakerAnswersWithItsWait() {
        guard(Duration.ofSeconds(2), 2);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> guard.call(deadline -> {
                        Deadline.after(Duration.ZERO).check();
                        return "never";
                    }))
                    .isInstanceOf(ProfileStoreUnavailableException.class)
                    .hasMessageContaining("unavailable (Exceeded)");
        }

        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThatThrownBy(() -> guard.call(deadline -> "never runs"))
                .isInstanceOf(ProfileStoreUnavailableException.class)
                .hasMessageContaining("Retry after 8 s")
                .satisfies(e -> assertThat(((ProfileStoreUnavailableException) e).retryAfter())
                        .isEqualTo(Duration.ofMillis(7_500)));
    }

    @Test
    void anErrorInAReadIsRethrownAsItIsAndFreesTheHalfOpenTrialPermission() {
        guard(Duration.ofSeconds(2), 2);
        guard.breaker().transitionToOpenState();
        guard.breaker().transitionToHalfOpenState();

        assertThatThrownBy(() -> guard.call(deadline -> {
                    throw new AssertionError("an error, not an exception");
                }))
                .isExactlyInstanceOf(AssertionError.class)
                .hasMessage("an error, not an exception");

        assertThat(guard.breaker().getMetrics().getNumberOfFailedCalls()).isZero();
        String trial = guard.call(deadline -> "the trial read");

        assertThat(trial).isEqualTo("the trial read");
        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    private void awaitRelease() {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException cancelled) {
            Thread.currentThread().interrupt();
        }
    }
}
