package dev.asof.reconstruction.state;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Runs independent DynamoDB calls of one read at the same time, so a read costs the round trips of its longest
 * chain rather than their sum. When every thread is busy the caller runs the call itself: slower, never stuck.
 * Calls do not check the request's deadline themselves: each is one bounded DynamoDB call (or a few pages),
 * started after the caller checked it.
 */
@Component
public class StoreCalls implements DisposableBean {

    private static final int MAX_THREADS = 64;

    private final ThreadPoolExecutor pool;

    StoreCalls() {
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(
                4,
                MAX_THREADS,
                60,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "store-call-" + count.incrementAndGet());
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
     * The result of a started call. A failure is rethrown as it was thrown (an SDK exception stays one, so the
     * circuit breaker sees it); an interrupt (the request's budget is spent) stops the wait.
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

    @Override
    public void destroy() {
        pool.shutdownNow();
    }
}
