package dev.asof.ingestion.log;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.validation.annotation.Validated;

/**
 * Failure policy of the log writer. Records that break the contract, or that the store refuses as invalid, are
 * dead-lettered by the writer itself and never fail a batch. Anything else (DynamoDB throttled, down or hung)
 * fails the batch, which is retried from its first uncommitted record with exponential backoff for as long as it
 * takes: nothing is skipped and per-customer order holds; the writes it repeats are idempotent. A partition that
 * stays stuck turns health {@code DOWN} ({@link PartitionProgress}).
 */
@Configuration
class LogWriterConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * @param parallelism how many customers' writes run at once, over all partitions
     * @param stuckAfter how long a partition's batches may keep failing before health turns {@code DOWN}
     */
    @Validated
    @ConfigurationProperties("asof.log-writer")
    record LogWriterProperties(
            @Min(1) @Max(256) @DefaultValue("16") int parallelism,
            @NotNull @DefaultValue("60s") Duration stuckAfter) {}

    @Bean(destroyMethod = "shutdown")
    ExecutorService logWriters(LogWriterProperties properties) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(properties.parallelism(), task -> {
            Thread thread = new Thread(task, "log-writer-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Bean
    DefaultErrorHandler logWriterErrorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(100, 2.0);
        backOff.setMaxInterval(5_000);
        return new DefaultErrorHandler(backOff);
    }
}
