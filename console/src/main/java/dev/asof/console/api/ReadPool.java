package dev.asof.console.api;

import dev.asof.console.ConsoleProperties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The threads that read a page's panels at once (timeline, identity) while the request thread reads the profiles.
 * Bounded ({@code asof.console.read-threads}), so a burst of page loads queues here instead of multiplying calls
 * to the services.
 */
@Configuration
class ReadPool {

    @Bean(name = "consoleReads", destroyMethod = "shutdown")
    ExecutorService consoleReads(ConsoleProperties properties) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(properties.readThreads(), runnable -> {
            Thread thread = new Thread(runnable, "console-read-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }
}
