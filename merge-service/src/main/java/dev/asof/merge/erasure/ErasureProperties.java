package dev.asof.merge.erasure;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Erasures ({@code asof.erasure}): how long the step after destroying the keys waits for every replica's key cache
 * to forget them ({@code replica-key-cache-wait}, default 60 s: {@code asof.privacy.key-cache-ttl}'s default; keep
 * it at least that), how long the erasure events may take to be logged ({@code settle-timeout}, 60 s), how long the
 * verification scan may read each Kafka topic ({@code kafka-scan-timeout}, 120 s), how long a failed step waits
 * before it is tried again ({@code retry-delay}, 5 s) and how many erasures run at once ({@code workers}, 1).
 */
@Validated
@ConfigurationProperties("asof.erasure")
public record ErasureProperties(
        @NotNull @DefaultValue("60s") Duration replicaKeyCacheWait,
        @NotNull @DefaultValue("60s") Duration settleTimeout,
        @NotNull @DefaultValue("120s") Duration kafkaScanTimeout,
        @NotNull @DefaultValue("5s") Duration retryDelay,
        @Min(1) @Max(16) @DefaultValue("1") int workers) {}
