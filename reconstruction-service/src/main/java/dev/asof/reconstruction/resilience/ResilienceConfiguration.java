package dev.asof.reconstruction.resilience;

import io.awspring.cloud.autoconfigure.dynamodb.DynamoDbClientCustomizer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
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
    ProfileStoreGuard profileStoreGuard(ReconstructionProperties properties, MeterRegistry metrics) {
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(metrics);
        return new ProfileStoreGuard(breakers, properties);
    }

    /** The guard's breaker, for health and tests. */
    @Bean
    CircuitBreaker profileStoreCircuitBreaker(ProfileStoreGuard profileStoreGuard) {
        return profileStoreGuard.breaker();
    }
}
