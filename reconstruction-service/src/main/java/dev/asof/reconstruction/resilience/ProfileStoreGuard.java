package dev.asof.reconstruction.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Runs a read against DynamoDB within the request's time budget and behind a circuit breaker. The read runs on a
 * bounded pool while the request thread waits at most the budget, so a hanging DynamoDB costs a caller the budget
 * and never more; once the breaker is open, callers get 503 at once. Reads that fail because of DynamoDB
 * ({@link SdkException}) or run out of time count against the breaker; anything else (a bug) does not.
 */
public class ProfileStoreGuard implements AutoCloseable {

    private final CircuitBreaker breaker;
    private final ExecutorService reads;
    private final Duration budget;
    private final Duration openRetryAfter;

    public ProfileStoreGuard(CircuitBreaker breaker, ReconstructionProperties properties) {
        this.breaker = breaker;
        this.budget = properties.timeBudget();
        this.openRetryAfter = properties.breaker().waitInOpenState();
        AtomicInteger count = new AtomicInteger();
        ThreadFactory threads = runnable -> {
            Thread thread = new Thread(runnable, "profile-read-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        int size = properties.maxConcurrentReads();
        // A short queue absorbs bursts; waiting in it counts against the budget. Beyond it a read is refused (503).
        this.reads = new ThreadPoolExecutor(
                size,
                size,
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(size * 4),
                threads,
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** The circuit breaker's state, for health and tests. */
    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    @Override
    public void close() {
        reads.shutdownNow();
    }

    /** The result of {@code read}, given the deadline it must check before each DynamoDB call. */
    public <T> T call(Function<Deadline, T> read) {
        if (!breaker.tryAcquirePermission()) {
            throw new ProfileStoreUnavailableException(
                    "The profile store failed repeatedly; the circuit breaker is open. Retry after "
                            + seconds(openRetryAfter) + " s.",
                    openRetryAfter,
                    null);
        }
        long start = System.nanoTime();
        Deadline deadline = Deadline.after(budget);
        Future<T> future;
        try {
            future = reads.submit(() -> read.apply(deadline));
        } catch (RejectedExecutionException busy) {
            breaker.releasePermission();
            throw new ProfileStoreUnavailableException(
                    "Too many profile reads are waiting for the profile store; retry in a moment.",
                    Duration.ofSeconds(1),
                    busy);
        }
        try {
            T result = future.get(budget.toNanos(), TimeUnit.NANOSECONDS);
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return result;
        } catch (TimeoutException slow) {
            future.cancel(true);
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, slow);
            throw new ProfileStoreUnavailableException(
                    "The profile store did not answer within the time budget of " + budget.toMillis() + " ms.",
                    Duration.ofSeconds(1),
                    slow);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            breaker.releasePermission();
            throw new ProfileStoreUnavailableException(
                    "The read was interrupted (the service is shutting down).", Duration.ofSeconds(1), interrupted);
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof SdkException || cause instanceof Deadline.Exceeded) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, cause);
                throw new ProfileStoreUnavailableException(
                        "The profile store is unavailable (" + cause.getClass().getSimpleName() + ").",
                        Duration.ofSeconds(1),
                        cause);
            }
            breaker.releasePermission();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Whole seconds for a Retry-After header: at least one. */
    public static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }
}
