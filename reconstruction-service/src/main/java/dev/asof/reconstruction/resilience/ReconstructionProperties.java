package dev.asof.reconstruction.resilience;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long a read may take and what happens when DynamoDB is slow or down ({@code asof.reconstruction.*}).
 *
 * @param timeBudget the most a profile, view or history request may take in total; past it the answer is 503
 *     with Retry-After. Far below the 3 to 5 s a Genesys Architect data action or a CXone Studio REST action waits
 * @param maxConcurrentReads reads that may run at once; more wait in a short queue, and beyond that get 503
 * @param dynamodb timeouts of each DynamoDB call this service makes
 * @param breaker the circuit breaker around reads
 */
@Validated
@ConfigurationProperties("asof.reconstruction")
public record ReconstructionProperties(
        @NotNull @DefaultValue("2s") Duration timeBudget,
        @Min(1) @Max(1024) @DefaultValue("32") int maxConcurrentReads,
        @Valid @NotNull @DefaultValue DynamoTimeouts dynamodb,
        @Valid @NotNull @DefaultValue Breaker breaker) {

    public ReconstructionProperties {
        if (timeBudget != null && (timeBudget.isNegative() || timeBudget.isZero())) {
            throw new IllegalArgumentException("asof.reconstruction.time-budget must be positive: " + timeBudget);
        }
    }

    /**
     * What a caller waits is bounded by the time budget; these bound how long a DynamoDB call may hold a thread (a
     * read the caller already gave up on, the background consumers, and the table creation at start, which is why
     * they are not tighter).
     *
     * @param apiCallTimeout the most one DynamoDB call may take, retries included
     * @param apiCallAttemptTimeout the most one attempt of a call may take
     */
    public record DynamoTimeouts(
            @NotNull @DefaultValue("4s") Duration apiCallTimeout,
            @NotNull @DefaultValue("2s") Duration apiCallAttemptTimeout) {}

    /**
     * @param failureRateThreshold percentage of failed reads (in the sliding window) that opens the breaker
     * @param slidingWindowSize how many recent reads count
     * @param minimumNumberOfCalls reads needed before the rate counts
     * @param waitInOpenState how long the breaker stays open (and the Retry-After it answers) before trial reads
     */
    public record Breaker(
            @Min(1) @Max(100) @DefaultValue("50") int failureRateThreshold,
            @Min(1) @DefaultValue("20") int slidingWindowSize,
            @Min(1) @DefaultValue("5") int minimumNumberOfCalls,
            @NotNull @DefaultValue("5s") Duration waitInOpenState) {}
}
