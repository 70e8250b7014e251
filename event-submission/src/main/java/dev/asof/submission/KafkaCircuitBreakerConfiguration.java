package dev.asof.submission;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.validation.annotation.Validated;

/** The circuit breaker around Kafka publishing, configured by {@code asof.intake.kafka-breaker.*}. */
@Configuration
class KafkaCircuitBreakerConfiguration {

    /**
     * @param failureRateThreshold percentage of failed publishes (in the sliding window) that opens the breaker
     * @param slidingWindowSize how many recent publishes count
     * @param minimumNumberOfCalls publishes needed before the rate counts
     * @param waitInOpenState how long the breaker stays open before letting trial calls through
     */
    @Validated
    @ConfigurationProperties("asof.intake.kafka-breaker")
    record KafkaBreakerProperties(
            @Min(1) @Max(100) @DefaultValue("50") int failureRateThreshold,
            @Min(1) @DefaultValue("10") int slidingWindowSize,
            @Min(1) @DefaultValue("3") int minimumNumberOfCalls,
            @NotNull @DefaultValue("3s") Duration waitInOpenState) {}

    @Bean
    CircuitBreaker kafkaCircuitBreaker(KafkaBreakerProperties properties, MeterRegistry metrics) {
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(properties.failureRateThreshold())
                .slidingWindowSize(properties.slidingWindowSize())
                .minimumNumberOfCalls(properties.minimumNumberOfCalls())
                .waitDurationInOpenState(properties.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // Everything inside the breaker is a call to the broker (the records are built before it), so every
                // failure counts, timeouts included; an interrupt (shutdown) says nothing about Kafka and only frees
                // the permission.
                .ignoreExceptions(InterruptedException.class)
                .build());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(metrics);
        return registry.circuitBreaker("kafka");
    }
}
