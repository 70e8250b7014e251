package dev.asof.ingestion.log;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Failure policy of the log writer. Records that break the contract are dead-lettered by the writer itself
 * and never fail a batch. Anything else (DynamoDB throttled or down) fails the batch, which is retried from its
 * first uncommitted record with exponential backoff for as long as it takes: nothing is skipped and
 * per-customer order holds; the writes it repeats are idempotent.
 */
@Configuration
class LogWriterConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    DefaultErrorHandler logWriterErrorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(100, 2.0);
        backOff.setMaxInterval(5_000);
        return new DefaultErrorHandler(backOff);
    }
}
