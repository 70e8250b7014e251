package dev.asof.support.kafka;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Topic settings: {@code asof.kafka.partitions} (default 6) and {@code asof.kafka.replication-factor} (default 1, the
 * single local broker; use 3 in production) are used when a service creates missing topics at start;
 * {@code asof.kafka.retention} (default 7 days) and {@code asof.kafka.dead-letter-retention} (default 14 days) bound
 * how long the topics keep a record after Kafka appended it, and ingestion-service applies them to existing topics
 * at start too.
 */
@Validated
@ConfigurationProperties("asof.kafka")
public record KafkaTopicsProperties(
        @Min(1) @Max(1024) @DefaultValue("6") int partitions,
        @Min(1) @Max(7) @DefaultValue("1") short replicationFactor,
        @DefaultValue("7d") Duration retention,
        @DefaultValue("14d") Duration deadLetterRetention) {

    public KafkaTopicsProperties {
        AsofTopics.requireBounded("asof.kafka.retention", retention);
        AsofTopics.requireBounded("asof.kafka.dead-letter-retention", deadLetterRetention);
    }

    /** The topic definitions these settings describe. */
    public TopicSettings topics() {
        return new TopicSettings(partitions, replicationFactor, retention, deadLetterRetention);
    }
}
