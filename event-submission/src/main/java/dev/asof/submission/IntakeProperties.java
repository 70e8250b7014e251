package dev.asof.submission;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Intake settings ({@code asof.intake.*}).
 *
 * @param maxBatchSize most events one request may carry
 * @param publishTimeout how long to wait for Kafka to acknowledge before answering 503
 * @param futureTolerance how far ahead of this server's clock an event may be stamped (clock skew of the source)
 * @param lateAfter an event stamped this much before arrival is accepted but marked late
 * @param claimParallelism how many intake-ledger writes run at once (all requests together)
 */
@Validated
@ConfigurationProperties("asof.intake")
public record IntakeProperties(
        @Min(1) @Max(500) @DefaultValue("500") int maxBatchSize,
        @NotNull @DefaultValue("2s") Duration publishTimeout,
        @NotNull @DefaultValue("5s") Duration futureTolerance,
        @NotNull @DefaultValue("60s") Duration lateAfter,
        @Min(1) @Max(256) @DefaultValue("32") int claimParallelism) {}
