package dev.asof.console.api;

import dev.asof.console.ConsoleProperties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The threads that read a page's panels at once (timeline, identity) while the request thread reads the profiles.
 * Bounded ({@code asof.console.read-threads} threads, a queue of four times as many reads): when both are full the
 * request's own thread reads its panel, so a burst of page loads slows down instead of multiplying calls to the
 * services or piling up work in memory.
 */
@Configuration
class ReadPool {

    @Bean(name = "consoleReads", destroyMethod = "shutdown")
    ExecutorService consoleReads(ConsoleProperties properties) {
        return bounded("console-read-", properties.readThreads(), new ThreadPoolExecutor.CallerRunsPolicy());
    }

    /** {@code threads} daemon threads named {@code name}1, 2, ..., a queue of four times as many tasks. */
    static ThreadPoolExecutor bounded(String name, int threads, RejectedExecutionHandler whenFull) {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(threads * 4),
                runnable -> {
                    Thread thread = new Thread(runnable, name + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                },
                whenFull);
    }
}
