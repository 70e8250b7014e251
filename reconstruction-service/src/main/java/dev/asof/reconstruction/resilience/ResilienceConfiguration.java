package dev.asof.reconstruction.resilience;

import io.awspring.cloud.autoconfigure.dynamodb.DynamoDbClientCustomizer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;

/** The time budget, the circuit breaker and the DynamoDB call timeouts of this service. */
@Configuration
class ResilienceConfiguration {

    /**
     * Every DynamoDB call of this service (reads, and the background snapshot and cache consumers) gives up after
     * {@code asof.reconstruction.dynamodb.*}, so no thread waits on a hanging connection for long.
     */
    @Bean
    DynamoDbClientCustomizer reconstructionDynamoDbTimeouts(ReconstructionProperties properties) {
        return builder -> {
            ClientOverrideConfiguration existing = builder.overrideConfiguration();
            ClientOverrideConfiguration.Builder override =
                    existing == null ? ClientOverrideConfiguration.builder() : existing.toBuilder();
            builder.overrideConfiguration(
                    override.apiCallTimeout(properties.dynamodb().apiCallTimeout())
                            .apiCallAttemptTimeout(properties.dynamodb().apiCallAttemptTimeout())
                            .build());
        };
    }

    @Bean
    CircuitBreaker profileStoreCircuitBreaker(ReconstructionProperties properties, MeterRegistry metrics) {
        ReconstructionProperties.Breaker breaker = properties.breaker();
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(breaker.failureRateThreshold())
                .slidingWindowSize(breaker.slidingWindowSize())
                .minimumNumberOfCalls(breaker.minimumNumberOfCalls())
                .waitDurationInOpenState(breaker.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(metrics);
        return registry.circuitBreaker("profile-store");
    }

    @Bean
    ProfileStoreGuard profileStoreGuard(
            CircuitBreaker profileStoreCircuitBreaker, ReconstructionProperties properties) {
        return new ProfileStoreGuard(profileStoreCircuitBreaker, properties);
    }
}
