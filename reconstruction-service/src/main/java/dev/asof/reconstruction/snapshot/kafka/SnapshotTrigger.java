package dev.asof.reconstruction.snapshot.kafka;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asof.reconstruction.snapshot.LogPageWriter;
import dev.asof.reconstruction.snapshot.SnapshotProperties;
import dev.asof.reconstruction.snapshot.SnapshotWriter;
import dev.asof.reconstruction.state.LogPagesProperties;
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
 * <p>It also extends each customer's chain of packed log pages ({@link LogPageWriter}) every {@code
 * asof.reconstruction.log-pages.events-per-page} events.
 *
 * <p>A snapshot is only a shortcut: when writing one fails (DynamoDB down), the failure is logged and counted, the
 * count is kept, and the next event of the customer tries again (pages: after the next {@code events-per-page}).
 * Nothing is dead-lettered: the record itself is fine and the log writer owns it.
 */
@Component
class SnapshotTrigger {

    private static final Logger log = LoggerFactory.getLogger(SnapshotTrigger.class);

    private final SnapshotWriter writer;
    private final LogPageWriter pageWriter;
    private final int everyEvents;
    private final int pageEvents;
    private final Cache<String, Integer> counts;
    private final Cache<String, Integer> pageCounts;
    private final Counter failures;
    private final Counter pageFailures;

    SnapshotTrigger(
            SnapshotWriter writer,
            LogPageWriter pageWriter,
            SnapshotProperties properties,
            LogPagesProperties pageProperties,
            MeterRegistry metrics) {
        this.writer = writer;
        this.pageWriter = pageWriter;
        this.everyEvents = properties.everyEvents();
        this.pageEvents = pageProperties.enabled() ? pageProperties.eventsPerPage() : Integer.MAX_VALUE;
        this.counts =
                Caffeine.newBuilder().maximumSize(properties.trackedCustomers()).build();
        this.pageCounts =
                Caffeine.newBuilder().maximumSize(properties.trackedCustomers()).build();
        this.failures = metrics.counter("asof.snapshots.written", "result", "failed");
        this.pageFailures = metrics.counter("asof.reconstruction.log_pages.written", "result", "failed");
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
        int pageCount = pageCounts.asMap().merge(customerId, 1, Integer::sum);
        if (pageCount >= pageEvents) {
            pageCounts.invalidate(customerId);
            try {
                int written = pageWriter.extend(customerId);
                log.debug("{} log pages of {} after {} events", written, customerId, pageCount);
            } catch (RuntimeException e) {
                // pages are only a shortcut: whatever failed, the snapshot below is still tried
                pageFailures.increment();
                log.warn(
                        "could not write log pages of {}; trying again later: {}",
                        customerId,
                        e.getClass().getSimpleName());
            }
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
