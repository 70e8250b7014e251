package dev.asof.reconstruction.state;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One background thread for work asked for by reads (loads, repairs): at most one piece of work per key queued or
 * running at a time, a short queue, and anything beyond it refused, since a later read asks again.
 */
public final class KeyedBackgroundWork implements AutoCloseable {

    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor worker;

    public KeyedBackgroundWork(String threadName, int queue) {
        this.worker = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue),
                runnable -> {
                    Thread thread = new Thread(runnable, threadName);
                    thread.setDaemon(true);
                    return thread;
                },
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** What {@link #submit} did. */
    public enum Submitted {
        QUEUED,
        /** Work for the key is queued or running already. */
        ALREADY_PENDING,
        /** The queue is full (or the worker stopped): refused. */
        REFUSED
    }

    /** Queues {@code work} for {@code key} unless work for the key is pending or the queue is full. */
    public Submitted submit(String key, Runnable work) {
        if (!pending.add(key)) {
            return Submitted.ALREADY_PENDING;
        }
        try {
            worker.execute(() -> {
                try {
                    work.run();
                } finally {
                    pending.remove(key);
                }
            });
            return Submitted.QUEUED;
        } catch (RejectedExecutionException busy) {
            pending.remove(key);
            return Submitted.REFUSED;
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
