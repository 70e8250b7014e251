package dev.asof.reconstruction.resilience;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.ThreadPoolBulkhead;
import io.github.resilience4j.bulkhead.ThreadPoolBulkheadConfig;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Runs a read against DynamoDB within the request's time budget and behind a circuit breaker, composed from
 * resilience4j's decorators: a {@link ThreadPoolBulkhead} runs the read on a bounded pool with a short queue and
 * refuses beyond it, a {@link TimeLimiter} lets the request thread wait at most the budget and then cancels the
 * read, and a {@link CircuitBreaker} answers 503 at once while it is open. So a hanging DynamoDB costs a caller the
 * budget and never more. Reads that fail because of DynamoDB ({@link SdkException}) or run out of time count against
 * the breaker; anything else (a bug, a full pool, an interrupt) does not.
 */
public class ProfileStoreGuard implements AutoCloseable {

    private final CircuitBreaker breaker;
    private final ThreadPoolBulkhead reads;
    private final TimeLimiter budgetLimiter;
    private final Duration budget;
    private final Duration openRetryAfter;

    /** Creates the {@code profile-store} breaker in {@code breakers}, so that its metrics are those of the registry. */
    public ProfileStoreGuard(CircuitBreakerRegistry breakers, ReconstructionProperties properties) {
        this.breaker = breakers.circuitBreaker("profile-store", breakerConfig(properties.breaker()));
        this.budget = properties.timeBudget();
        this.openRetryAfter = properties.breaker().waitInOpenState();
        int size = properties.maxConcurrentReads();
        this.reads = ThreadPoolBulkhead.of(
                "profile-read",
                ThreadPoolBulkheadConfig.custom()
                        .maxThreadPoolSize(size)
                        .coreThreadPoolSize(size)
                        // A short queue absorbs bursts; waiting in it counts against the budget. Beyond it a read is
                        // refused (503).
                        .queueCapacity(size * 4)
                        .build());
        this.budgetLimiter = TimeLimiter.of(
                "profile-read",
                TimeLimiterConfig.custom()
                        .timeoutDuration(budget)
                        .cancelRunningFuture(true)
                        .build());
    }

    /**
     * The breaker around reads: DynamoDB failures and reads past the budget count; every other exception only frees
     * the permission, so a bug or a busy pool never opens it.
     */
    static CircuitBreakerConfig breakerConfig(ReconstructionProperties.Breaker breaker) {
        return CircuitBreakerConfig.custom()
                .failureRateThreshold(breaker.failureRateThreshold())
                .slidingWindowSize(breaker.slidingWindowSize())
                .minimumNumberOfCalls(breaker.minimumNumberOfCalls())
                .waitDurationInOpenState(breaker.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(ProfileStoreGuard::isTheStoresFault)
                .ignoreException(failure -> !isTheStoresFault(failure))
                .build();
    }

    private static boolean isTheStoresFault(Throwable failure) {
        return failure instanceof SdkException
                || failure instanceof Deadline.Exceeded
                || failure instanceof TimeoutException;
    }

    /** The circuit breaker's state, for health and tests. */
    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    /** The circuit breaker around reads (for its metrics, health and tests). */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Stops the pool: reads still running get up to 5 s (each is bounded by the budget), then are interrupted. */
    @Override
    public void close() {
        try {
            reads.close();
        } catch (Exception e) {
            // ThreadPoolBulkhead.close() is declared to throw; the fixed pool's does not
            throw new IllegalStateException("could not stop the profile reads", e);
        }
    }

    /** The result of {@code read}, given the deadline it must check before each DynamoDB call. */
    public <T> T call(Function<Deadline, T> read) {
        Deadline deadline = Deadline.after(budget);
        // A FutureTask run by the bulkhead's pool rather than the CompletableFuture the bulkhead returns: cancelling a
        // FutureTask interrupts the read, which stops its waits for DynamoDB.
        FutureTask<T> task = new FutureTask<>(() -> read.apply(deadline));
        Callable<T> withinBudget = TimeLimiter.decorateFutureSupplier(budgetLimiter, () -> {
            reads.submit(task);
            return task;
        });
        Callable<T> guarded = CircuitBreaker.decorateCallable(breaker, () -> {
            try {
                return withinBudget.call();
            } catch (Error error) {
                // the breaker's decorators see exceptions only: an error would keep a half-open trial permission
                throw new ErrorInRead(error);
            }
        });
        try {
            return guarded.call();
        } catch (CallNotPermittedException open) {
            throw new ProfileStoreUnavailableException(
                    "The profile store failed repeatedly; the circuit breaker is open. Retry after "
                            + seconds(openRetryAfter) + " s.",
                    openRetryAfter,
                    null);
        } catch (BulkheadFullException busy) {
            throw new ProfileStoreUnavailableException(
                    "Too many profile reads are waiting for the profile store; retry in a moment.",
                    Duration.ofSeconds(1),
                    busy);
        } catch (TimeoutException slow) {
            throw new ProfileStoreUnavailableException(
                    "The profile store did not answer within the time budget of " + budget.toMillis() + " ms.",
                    Duration.ofSeconds(1),
                    slow);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            task.cancel(true);
            throw new ProfileStoreUnavailableException(
                    "The read was interrupted (the service is shutting down).", Duration.ofSeconds(1), interrupted);
        } catch (SdkException | Deadline.Exceeded failed) {
            throw new ProfileStoreUnavailableException(
                    "The profile store is unavailable (" + failed.getClass().getSimpleName() + ").",
                    Duration.ofSeconds(1),
                    failed);
        } catch (ErrorInRead error) {
            throw error.error;
        } catch (RuntimeException bug) {
            throw bug;
        } catch (Exception checked) {
            // a Function throws no checked exception, and the decorators add none beyond those above
            throw new IllegalStateException(checked);
        }
    }

    /** Whole seconds for a Retry-After header: at least one. */
    public static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }

    /** An {@link Error} thrown by a read, carried past the circuit breaker (which ignores it) and rethrown as is. */
    private static final class ErrorInRead extends RuntimeException {

        private final Error error;

        ErrorInRead(Error error) {
            super(error.getMessage(), error, false, false);
            this.error = error;
        }
    }
}
