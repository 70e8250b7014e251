package dev.asof.merge;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

/** For tests whose match index follower starts at the topic's end ({@code asof.matching.index-start=latest}). */
final class MatchFollowerReady {

    private MatchFollowerReady() {}

    /** Returns once the follower has its partitions: an event published before that is never indexed. */
    static void awaitPartitions(KafkaListenerEndpointRegistry listeners) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> !listeners
                        .getListenerContainer("asof-merge-matching")
                        .getAssignedPartitions()
                        .isEmpty());
    }
}
