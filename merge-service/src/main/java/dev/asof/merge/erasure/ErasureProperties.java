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
 * to reach Kafka ({@code in-flight-margin}, 15 s: more than intake's Kafka {@code delivery.timeout.ms}), the consumer
 * group whose committed offsets say what the log writer has logged ({@code log-writer-group}, {@code
 * asof-log-writer}), how long the erasure events may take to be logged ({@code settle-timeout}, 60 s), how long the
 * verification scan may read each Kafka topic ({@code kafka-scan-timeout}, 120 s), how long a failed step waits
 * before it is tried again ({@code retry-delay}, 5 s) and how many erasures run at once ({@code workers}, 1).
 */
@Validated
@ConfigurationProperties("asof.erasure")
public record ErasureProperties(
        @NotNull @DefaultValue("60s") Duration replicaKeyCacheWait,
        @NotNull @DefaultValue("15s") Duration inFlightMargin,
        @NotBlank @DefaultValue("asof-log-writer") String logWriterGroup,
        @NotNull @DefaultValue("60s") Duration settleTimeout,
        @NotNull @DefaultValue("120s") Duration kafkaScanTimeout,
        @NotNull @DefaultValue("5s") Duration retryDelay,
        @Min(1) @Max(16) @DefaultValue("1") int workers) {}
