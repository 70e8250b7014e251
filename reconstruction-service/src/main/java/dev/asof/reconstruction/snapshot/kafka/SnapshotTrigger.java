package dev.asof.reconstruction.snapshot.kafka;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asof.reconstruction.snapshot.SnapshotProperties;
import dev.asof.reconstruction.snapshot.SnapshotWriter;
import dev.asof.support.kafka.AsofTopics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Counts each customer's events on the topic (consumer group {@code asof-snapshots}) and asks for a snapshot every
 * {@code asof.snapshots.every-events}. The record only says which customer; the snapshot's rectangle comes from the
 * stored view, so it does not matter that this consumer may run ahead of the log writer.
 *
 * <p>A snapshot is only a shortcut: when writing one fails (DynamoDB down), the failure is logged and counted, the
 * count is kept, and the next event of the customer tries again. Nothing is dead-lettered: the record itself is
 * fine and the log writer owns it.
 */
@Component
class SnapshotTrigger {

    private static final Logger log = LoggerFactory.getLogger(SnapshotTrigger.class);

    private final SnapshotWriter writer;
    private final int everyEvents;
    private final Cache<String, Integer> counts;
    private final Counter failures;

    SnapshotTrigger(SnapshotWriter writer, SnapshotProperties properties, MeterRegistry metrics) {
        this.writer = writer;
        this.everyEvents = properties.everyEvents();
        this.counts =
                Caffeine.newBuilder().maximumSize(properties.trackedCustomers()).build();
        this.failures = metrics.counter("asof.snapshots.written", "result", "failed");
    }

    @KafkaListener(
            id = "asof-snapshots",
            topics = AsofTopics.PROFILE_EVENTS,
            autoStartup = "${asof.snapshots.enabled:true}")
    void onEvent(ConsumerRecord<String, String> record) {
        String customerId = record.key();
        if (customerId == null) {
            return;
        }
        int count = counts.asMap().merge(customerId, 1, Integer::sum);
        if (count < everyEvents) {
            return;
        }
        try {
            SnapshotWriter.Outcome outcome = writer.snapshot(customerId);
            counts.invalidate(customerId);
            log.debug("snapshot of {} after {} events: {}", customerId, count, outcome);
        } catch (SdkException e) {
            failures.increment();
            log.warn("could not snapshot {}; trying again on its next event: {}", customerId, e.toString());
        }
    }
}
