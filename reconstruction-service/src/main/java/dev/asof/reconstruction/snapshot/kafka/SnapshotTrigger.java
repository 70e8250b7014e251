package dev.asof.reconstruction.snapshot.kafka;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.InvalidEventException;
import dev.asof.reconstruction.snapshot.LogPageWriter;
import dev.asof.reconstruction.snapshot.SnapshotProperties;
import dev.asof.reconstruction.snapshot.SnapshotWriter;
import dev.asof.reconstruction.state.LogPagesProperties;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.FoldedEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.core.exception.SdkException;
import tools.jackson.core.JacksonException;

/**
 * Counts each customer's events on the topic (consumer group {@code asof-snapshots}) and asks for a snapshot every
 * {@code asof.snapshots.every-events}. It also extends each customer's chain of packed log pages ({@link
 * LogPageWriter}) every {@code asof.reconstruction.log-pages.events-per-page} events.
 *
 * <p>The snapshot's rectangle and the pages come from what is logged, never from the record. This consumer only
 * counts, so it can run ahead of the log writer: at the end of a fast load its last triggers met a view tens of
 * thousands of events behind, and the rest of the history got no snapshot and no page until the customer's next
 * events (bench/run reconstruction: 102 snapshots for 100,000 events). So a snapshot or page due at an event the log
 * writer has not logged yet is set aside, one per customer (the latest due; the writers fill what the earlier ones
 * would have written), and written by a background thread once that event is logged. Every {@code
 * asof.snapshots.wait-for-log} meanwhile it writes them from what is logged so far (a long load gets its snapshots
 * as it is logged), and gives up when nothing more was logged (an event the log writer never logs, such as one it
 * dead-letters). The consumer never waits. Counted in {@code asof.snapshots.ahead_of_log}; {@code asof.snapshots.pending} are set aside now.
 *
 * <p>A snapshot is only a shortcut: when writing one fails (DynamoDB down), the failure is logged and counted, and
 * the customer's next due event tries again. Nothing is dead-lettered: the record itself is fine and the log writer
 * owns it.
 */
@Component
class SnapshotTrigger implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SnapshotTrigger.class);

    /** How often the events set aside are looked for in the log. */
    private static final Duration RECHECK = Duration.ofMillis(500);

    private final SnapshotWriter writer;
    private final LogPageWriter pageWriter;
    private final FoldedEvents folded;
    private final int everyEvents;
    private final int pageEvents;
    private final int maxPending;
    private final Duration waitForLog;
    private final Cache<String, Integer> counts;
    private final Cache<String, Integer> pageCounts;
    private final Map<String, Due> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService recheck;
    private final Counter failures;
    private final Counter pageFailures;
    private final Counter aheadOfTheLog;

    /** What is due for a customer at {@code event} (null: the record was not an event), set aside at {@code since}. */
    private record Due(EventEnvelope event, boolean snapshot, boolean pages, long since) {

        Due and(Due later) {
            return new Due(later.event, snapshot || later.snapshot, pages || later.pages, since);
        }
    }

    SnapshotTrigger(
            SnapshotWriter writer,
            LogPageWriter pageWriter,
            SnapshotProperties properties,
            LogPagesProperties pageProperties,
            FoldedEvents folded,
            MeterRegistry metrics) {
        this.writer = writer;
        this.pageWriter = pageWriter;
        this.folded = folded;
        this.everyEvents = properties.everyEvents();
        this.waitForLog = properties.waitForLog();
        this.maxPending = properties.trackedCustomers();
        this.pageEvents = pageProperties.enabled() ? pageProperties.eventsPerPage() : Integer.MAX_VALUE;
        this.counts =
                Caffeine.newBuilder().maximumSize(properties.trackedCustomers()).build();
        this.pageCounts =
                Caffeine.newBuilder().maximumSize(properties.trackedCustomers()).build();
        this.failures = metrics.counter("asof.snapshots.written", "result", "failed");
        this.pageFailures = metrics.counter("asof.reconstruction.log_pages.written", "result", "failed");
        this.aheadOfTheLog = Counter.builder("asof.snapshots.ahead_of_log")
                .description("snapshots or pages due at an event the log writer had not logged yet, set aside")
                .register(metrics);
        Gauge.builder("asof.snapshots.pending", pending, Map::size)
                .description("customers whose snapshot or pages wait for the log writer")
                .register(metrics);
        this.recheck = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "asof-snapshots-pending");
            thread.setDaemon(true);
            return thread;
        });
        recheck.scheduleWithFixedDelay(
                this::writeWhatIsLogged, RECHECK.toMillis(), RECHECK.toMillis(), TimeUnit.MILLISECONDS);
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
        boolean pages = pageCounts.asMap().merge(customerId, 1, Integer::sum) >= pageEvents;
        boolean snapshot = counts.asMap().merge(customerId, 1, Integer::sum) >= everyEvents;
        if (!pages && !snapshot) {
            return;
        }
        if (pages) {
            pageCounts.invalidate(customerId);
        }
        if (snapshot) {
            counts.invalidate(customerId);
        }
        Due due = new Due(event(record), snapshot, pages, System.nanoTime());
        Due waiting = pending.get(customerId);
        if (waiting == null && (logged(due) || pending.size() >= maxPending)) {
            write(customerId, due);
            return;
        }
        if (waiting == null) {
            aheadOfTheLog.increment();
        }
        pending.merge(customerId, due, Due::and);
    }

    /**
     * Writes what was set aside for each customer whose event is logged by now. One that has waited {@code
     * wait-for-log} is written from what is logged so far and, if that wrote anything (the log writer is moving, only
     * behind: a long load), set aside again to wait for the rest; if it wrote nothing, it is given up (an event the
     * log writer never logs: the customer's next due event tries again).
     */
    private void writeWhatIsLogged() {
        for (Map.Entry<String, Due> entry : pending.entrySet()) {
            try {
                Due due = entry.getValue();
                boolean logged = logged(due);
                boolean waitedEnough = System.nanoTime() - due.since() >= waitForLog.toNanos();
                if (!(logged || waitedEnough) || !pending.remove(entry.getKey(), due)) {
                    continue;
                }
                boolean wrote = write(entry.getKey(), due);
                if (logged) {
                    continue;
                }
                if (wrote) {
                    // the consumer may have set a later one aside meanwhile: it covers this one
                    pending.putIfAbsent(
                            entry.getKey(), new Due(due.event(), due.snapshot(), due.pages(), System.nanoTime()));
                } else {
                    log.warn(
                            "the event a snapshot of {} is due at is still not logged after {} s, and nothing more is"
                                    + " logged; its next due event tries again",
                            entry.getKey(),
                            waitForLog.toSeconds());
                }
            } catch (RuntimeException e) {
                // this thread must go on for every other customer; the customer's next due event tries again
                log.warn(
                        "could not look for the event a snapshot is due at: {}",
                        e.getClass().getSimpleName());
            }
        }
    }

    /** Writes the pages and the snapshot due; whether it wrote any. */
    private boolean write(String customerId, Due due) {
        boolean wrote = false;
        if (due.pages()) {
            try {
                int written = pageWriter.extend(customerId);
                wrote = written > 0;
                log.debug("{} log pages of {}", written, customerId);
            } catch (RuntimeException e) {
                // pages are only a shortcut: whatever failed, the snapshot below is still tried
                pageFailures.increment();
                log.warn(
                        "could not write log pages of {}; trying again later: {}",
                        customerId,
                        e.getClass().getSimpleName());
            }
        }
        if (!due.snapshot()) {
            return wrote;
        }
        try {
            SnapshotWriter.Outcome outcome = writer.snapshot(customerId);
            log.debug("snapshot of {}: {}", customerId, outcome);
            return wrote || outcome == SnapshotWriter.Outcome.WRITTEN;
        } catch (SdkException e) {
            failures.increment();
            log.warn("could not snapshot {}; trying again at its next due event: {}", customerId, e.toString());
            return wrote;
        }
    }

    /** The record's event, or {@code null} when it is not one (the log writer dead-letters it: nothing to wait for). */
    private static EventEnvelope event(ConsumerRecord<String, String> record) {
        try {
            return EventJson.decode(record.value());
        } catch (InvalidEventException | JacksonException notAnEvent) {
            return null;
        }
    }

    /**
     * Whether the event is in the log and in its identity's view. Not an event: nothing to wait for. DynamoDB
     * failing: not waited for either (the writes fail, are logged and counted, and are tried again later).
     */
    private boolean logged(Due due) {
        if (due.event() == null) {
            return true;
        }
        try {
            return folded.folded(due.event());
        } catch (SdkException storeFailed) {
            return true;
        }
    }

    @Override
    public void destroy() {
        recheck.shutdownNow();
    }
}
