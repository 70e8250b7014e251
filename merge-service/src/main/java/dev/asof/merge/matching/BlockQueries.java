package dev.asof.merge.matching;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs the blocking-key queries of one lookup at the same time, so a lookup costs about one {@code Query} round trip
 * instead of one per key. Bounded: with every thread busy (many lookups at once) the caller runs the query itself,
 * which is the sequential lookup again, slower but never stuck or queued without limit. The same shape as
 * reconstruction-service's {@code StoreCalls}.
 */
final class BlockQueries implements AutoCloseable {

    private final ThreadPoolExecutor pool;

    BlockQueries(int threads) {
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(
                Math.min(4, threads),
                threads,
                60,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "match-block-query-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                },
                (call, executor) -> {
                    // a shut-down pool would drop the call and leave its future waiting for ever: refuse instead
                    if (executor.isShutdown()) {
                        throw new RejectedExecutionException("the service is shutting down");
                    }
                    call.run();
                });
    }

    <T> CompletableFuture<T> start(Supplier<T> call) {
        return CompletableFuture.supplyAsync(call, pool);
    }

    /**
     * The result of a started query. A failure is rethrown as it was thrown (an SDK exception stays one, so the
     * answer is the same {@code 503} as before); an interrupt stops the wait.
     */
    static <T> T result(CompletableFuture<T> call) {
        try {
            return call.get();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for DynamoDB", interrupted);
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
