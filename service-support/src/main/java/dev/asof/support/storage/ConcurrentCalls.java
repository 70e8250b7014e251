package dev.asof.support.storage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs the independent DynamoDB calls of one request at the same time, so the request costs the round trips of its
 * longest chain rather than their sum: reconstruction's point-in-time reads (head, links, snapshot, log range, late
 * arrivals) and merge-service's blocking-key queries. Bounded: with every thread busy the caller runs the call
 * itself, slower but never stuck or queued without limit. Calls do not check a request's deadline themselves: each
 * is one bounded DynamoDB call (or a few pages), started after the caller checked it.
 */
public final class ConcurrentCalls implements AutoCloseable {

    private final ThreadPoolExecutor pool;

    /**
     * @param name the threads' name prefix
     * @param threads the most calls running at once
     */
    public ConcurrentCalls(String name, int threads) {
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(
                Math.min(4, threads),
                threads,
                60,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
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

    /** Starts {@code call}. */
    public <T> CompletableFuture<T> start(Supplier<T> call) {
        return CompletableFuture.supplyAsync(call, pool);
    }

    /**
     * The result of a started call. A failure is rethrown as it was thrown (an SDK exception stays one, so a circuit
     * breaker sees it and the answer is the same {@code 503}); an interrupt (the request's budget is spent) stops the
     * wait.
     */
    public static <T> T result(CompletableFuture<T> call) {
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

    /** Stops the threads; calls started after this are refused. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
