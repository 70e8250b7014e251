package dev.asof.support.kafka;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Topic settings used when a service creates missing topics at start: {@code asof.kafka.partitions} (default 6)
 * and {@code asof.kafka.replication-factor} (default 1, the single local broker; use 3 in production).
 */
@Validated
@ConfigurationProperties("asof.kafka")
public record KafkaTopicsProperties(
        @Min(1) @Max(1024) @DefaultValue("6") int partitions,
        @Min(1) @Max(7) @DefaultValue("1") short replicationFactor) {}
