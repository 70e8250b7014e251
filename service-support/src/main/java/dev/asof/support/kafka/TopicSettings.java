package dev.asof.support.kafka;

import java.time.Duration;

/**
 * How the shared topics are made: partitions, replication and how long each keeps a record after Kafka appended it.
 */
public record TopicSettings(int partitions, short replicationFactor, Duration retention, Duration deadLetterRetention) {

    /** Kafka's own default retention: long enough to ride out a log writer that is down over a long weekend. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    /** Dead letters wait for a person, so they are kept twice as long. */
    public static final Duration DEFAULT_DEAD_LETTER_RETENTION = Duration.ofDays(14);

    public TopicSettings {
        AsofTopics.requireBounded("retention", retention);
        AsofTopics.requireBounded("dead-letter retention", deadLetterRetention);
    }

    /** The default retention with the given layout. */
    public static TopicSettings of(int partitions, short replicationFactor) {
        return new TopicSettings(partitions, replicationFactor, DEFAULT_RETENTION, DEFAULT_DEAD_LETTER_RETENTION);
    }
}
