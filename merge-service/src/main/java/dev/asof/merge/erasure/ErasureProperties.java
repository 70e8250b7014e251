package dev.asof.merge.erasure;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Erasures ({@code asof.erasure}): how long the step after destroying the keys waits for every replica's key cache
 * to forget them ({@code replica-key-cache-wait}, default 60 s: {@code asof.privacy.key-cache-ttl}'s default; keep
 * it at least that), how much longer it waits for requests that encrypted with a cached key just before it expired
 * to reach Kafka ({@code in-flight-margin}, 30 s: a key is cached for its TTL from when it was unwrapped, up to
 * {@code asof.privacy.kms-timeout} (5 s) after its item was read, and a request that encrypted with it then still
 * claims its intake ledger entry and waits up to Kafka's {@code max.block.ms} (1.5 s) and {@code delivery.timeout.ms}
 * (10 s); keep it above their sum with a DynamoDB call's timeout), the consumer
 * group whose committed offsets say what the log writer has logged ({@code log-writer-group}, {@code
 * asof-log-writer}), how long the erasure events may take to be logged ({@code settle-timeout}, 60 s), how long the
 * verification scan may read each Kafka topic ({@code kafka-scan-timeout}, 120 s), how long a failed step waits
 * before it is tried again ({@code retry-delay}, 5 s) and how many erasure steps run at once ({@code workers}, 1; a step's wait holds none).
 */
@Validated
@ConfigurationProperties("asof.erasure")
public record ErasureProperties(
        @NotNull @DefaultValue("60s") Duration replicaKeyCacheWait,
        @NotNull @DefaultValue("30s") Duration inFlightMargin,
        @NotBlank @DefaultValue("asof-log-writer") String logWriterGroup,
        @NotNull @DefaultValue("60s") Duration settleTimeout,
        @NotNull @DefaultValue("120s") Duration kafkaScanTimeout,
        @NotNull @DefaultValue("5s") Duration retryDelay,
        @Min(1) @Max(16) @DefaultValue("1") int workers) {}
