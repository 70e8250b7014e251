package dev.asof.reconstruction.profile.kafka;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Failure policy of this service's consumers. They only observe the topic (the log writer owns it and dead-letters
 * what breaks the contract), so nothing here goes to a dead-letter topic: the cache consumer retries a record with
 * backoff while it waits for the log writer (or DynamoDB), and after two minutes gives up waiting and lets the
 * target be cached again. The snapshot consumer handles its own failures and never throws.
 */
@Configuration
class CacheInvalidationConfiguration {

    @Bean
    DefaultErrorHandler reconstructionConsumerErrorHandler(CacheInvalidation invalidation) {
        ExponentialBackOff backOff = new ExponentialBackOff(100, 2.0);
        backOff.setMaxInterval(5_000);
        backOff.setMaxElapsedTime(120_000);
        DefaultErrorHandler handler = new DefaultErrorHandler(invalidation::abandon, backOff);
        handler.setLogLevel(org.springframework.kafka.KafkaException.Level.DEBUG);
        return handler;
    }
}
