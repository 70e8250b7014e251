package dev.asof.reconstruction.snapshot.kafka;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asof.events.EventJson;
import dev.asof.events.InvalidEventException;
import dev.asof.events.Timestamps;
import dev.asof.reconstruction.snapshot.LogPageWriter;
import dev.asof.reconstruction.snapshot.SnapshotProperties;
import dev.asof.reconstruction.snapshot.SnapshotWriter;
import dev.asof.reconstruction.state.LogPagesProperties;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.FoldedEvents;
import dev.asof.support.storage.ProfileViews;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
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
import tools.jackson.databind.JsonNode;

/**
 * Counts each customer's events on the topic (consumer group {@code asof-snapshots}) and asks for a snapshot every
 * {@code asof.snapshots.every-events}. It also extends each customer's chain of packed log pages ({@link
 * LogPageWriter}) every {@code asof.reconstruction.log-pages.events-per-page} events.
 *
 * <p>The snapshot's rectangle and the pages come from what is logged, never from the record. This consumer only
 * counts, so it can run ahead of the log writer: at the end of a fast load its last triggers met a view tens of
 * thousands of events behind, and the rest of the history got no snapshot and no page until the customer's next
 * events (bench/run reconstruction: 102 snapshots for 100,000 events). So a snapshot or pages due at an event the log
 * writer has not logged yet are set aside, one entry per customer (the latest due event; the writers fill what the
 * earlier ones would have written), and written by a background thread once that event is logged. Every {@code
 * asof.snapshots.wait-for-log} meanwhile the thread writes them from what is logged so far, so a long load gets its
 * snapshots while it is logged; after {@value #STILL_ROUNDS} such rounds in which nothing more of the customer was
 * logged it gives up (an event the log writer never logs, such as one it dead-letters: the customer's next due event
 * tries again). At shutdown what is set aside is written from what is logged ({@link #destroy}). The consumer never
 * waits. Counted in {@code asof.snapshots.ahead_of_log}; {@code
 * asof.snapshots.pending} are set aside now.
 *
 * <p>A snapshot is only a shortcut: when writing one fails (DynamoDB down), the failure is logged and counted. Set
 * aside, it is tried again at the next round; written by the consumer, at the customer's next due event. Nothing is
 * dead-lettered (the record itself is fine and the log writer owns it) and nothing thrown (a failing record would be
 * retried, counted again).
 */
@Component
class SnapshotTrigger implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SnapshotTrigger.class);

    /** How often the background thread looks at what is set aside. */
    private static final Duration TICK = Duration.ofMillis(500);

    /**
     * The longest time between two looks at a due, with few customers set aside (one thread looks at all of them in
     * turn). With the looks backing off to 8 s, past a round's end, a load's last due was written up to 8 s after the
     * log writer logged it, while the first reads of the customer came in (bench/console-timeline: a first view of a
     * 10,000-change timeline timed out on the store, its pages still being written). Each look is two consistent
     * reads of one item.
     */
    static final Duration MOST_BETWEEN_LOOKS = Duration.ofSeconds(2);

    /** How long a shutdown spends writing what is set aside. */
    static final Duration SHUTDOWN_WRITES = Duration.ofSeconds(10);

    /** Rounds of {@code wait-for-log} without anything more of the customer logged before a due is given up. */
    static final int STILL_ROUNDS = 3;

    private final SnapshotWriter writer;
    private final LogPageWriter pageWriter;
    private final FoldedEvents folded;
    private final ProfileViews views;
    private final int everyEvents;
    private final int pageEvents;
    private final int maxPending;
    private final long waitNanos;
    private final Cache<String, Integer> counts;
    private final Cache<String, Integer> pageCounts;
    private final Map<String, Due> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService background;

    private final Counter failures;
    private final Counter pageFailures;
    private final Counter aheadOfTheLog;

    /** Set at shutdown: the background thread starts no more looks ({@link #destroy} writes what is left). */
    private volatile boolean closing;

    /** The event a snapshot or pages are due at: only what finds it in the log (never a value). */
    private record DueEvent(Instant timestampUtc, String eventId) {}

    /**
     * What is due for a customer at {@code event} ({@code null}: the record was not an event, nothing to wait for);
     * next looked at after {@code nextCheck} (nanos), written from what is logged at {@code roundEnds}, when the
     * view's {@code last_recorded_at} was {@code viewSeen} at the round before, {@code stillRounds} rounds in a row.
     */
    private record Due(
            DueEvent event,
            boolean snapshot,
            boolean pages,
            long nextCheck,
            int checks,
            long roundEnds,
            long viewSeen,
            int stillRounds) {

        /** Looked at again after {@code nextCheck}, the {@code checks}-th time this round. */
        Due checkAfter(long nextCheck, int checks) {
            return new Due(event, snapshot, pages, nextCheck, checks, roundEnds, viewSeen, stillRounds);
        }

        /** A new round until {@code roundEnds}, after one that saw the view at {@code viewSeen}. */
        Due nextRound(long nextCheck, long roundEnds, long viewSeen, int stillRounds) {
            return new Due(event, snapshot, pages, nextCheck, 0, roundEnds, viewSeen, stillRounds);
        }

        /** A later due of the same customer joins this one: its event, this one's clock. */
        Due and(Due later) {
            return new Due(
                    later.event != null ? later.event : event,
                    snapshot || later.snapshot,
                    pages || later.pages,
                    nextCheck,
                    checks,
                    roundEnds,
                    viewSeen,
                    stillRounds);
        }
    }

    SnapshotTrigger(
            SnapshotWriter writer,
            LogPageWriter pageWriter,
            SnapshotProperties properties,
            LogPagesProperties pageProperties,
            FoldedEvents folded,
            ProfileViews views,
            MeterRegistry metrics) {
        this.writer = writer;
        this.pageWriter = pageWriter;
        this.folded = folded;
        this.views = views;
        this.everyEvents = properties.everyEvents();
        this.waitNanos = properties.waitForLog().toNanos();
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
        this.background = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "asof-snapshots-pending");
            thread.setDaemon(true);
            return thread;
        });
        background.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
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
        long now = System.nanoTime();
        Due due = new Due(event(record), snapshot, pages, now, 0, now + waitNanos, Long.MIN_VALUE, 0);
        if (!pending.containsKey(customerId) && (pending.size() >= maxPending || loggedOrUnknown(customerId, due))) {
            write(customerId, due, false);
            return;
        }
        if (pending.putIfAbsent(customerId, due) == null) {
            aheadOfTheLog.increment();
        } else {
            pending.merge(customerId, due, Due::and);
        }
    }

    /** Looks at what is set aside; never lets an exception end the schedule (no later tick would run). */
    private void tick() {
        try {
            long now = System.nanoTime();
            for (Map.Entry<String, Due> entry : pending.entrySet()) {
                if (closing) {
                    // the shutdown writes the rest (destroy)
                    return;
                }
                if (now - entry.getValue().nextCheck() >= 0) {
                    look(entry.getKey(), entry.getValue(), now);
                }
            }
        } catch (Throwable failure) {
            log.error(
                    "the snapshots set aside could not be looked at: {}",
                    failure.getClass().getSimpleName());
        }
    }

    /**
     * Writes a customer's due once its event is logged; at the end of each round of {@code wait-for-log}, from what is
     * logged so far, or gives it up after {@value #STILL_ROUNDS} rounds without anything more logged. Looks again
     * after 0.5, 1, 2, 2 ... s ({@link #nextLook}).
     */
    private void look(String customerId, Due due, long now) {
        try {
            if (logged(customerId, due)) {
                if (pending.remove(customerId, due)) {
                    write(customerId, due, true);
                }
                return;
            }
            if (now - due.roundEnds() < 0) {
                pending.replace(
                        customerId,
                        due,
                        due.checkAfter(nextLook(now, due.checks() + 1, due.roundEnds()), due.checks() + 1));
                return;
            }
            long view = views.head(customerId)
                    .map(ProfileViews.Head::lastRecordedAt)
                    .orElse(Long.MIN_VALUE);
            int still = view == due.viewSeen() ? due.stillRounds() + 1 : 0;
            if (still >= STILL_ROUNDS) {
                if (pending.remove(customerId, due)) {
                    log.warn(
                            "the event a snapshot of {} is due at is still not logged, and nothing more of it was"
                                    + " logged for {} s; its next due event tries again",
                            customerId,
                            TimeUnit.NANOSECONDS.toSeconds(waitNanos * STILL_ROUNDS));
                }
                return;
            }
            if (still == 0 && view != Long.MIN_VALUE) {
                write(customerId, due, true);
            }
            pending.replace(customerId, due, due.nextRound(now + TICK.toNanos(), now + waitNanos, view, still));
        } catch (RuntimeException e) {
            // DynamoDB failing: looked at again a round later (one warning a round, not one a tick)
            pending.computeIfPresent(
                    customerId, (id, current) -> current.checkAfter(now + waitNanos, current.checks()));
            log.warn(
                    "could not look for the event a snapshot of {} is due at; again in {} s: {}",
                    customerId,
                    TimeUnit.NANOSECONDS.toSeconds(waitNanos),
                    e.getClass().getSimpleName());
        }
    }

    /**
     * When to look at a due again after its {@code checks}-th look this round: 0.5, 1, 2 s ... later, at most {@link
     * #MOST_BETWEEN_LOOKS} (the most a due is written after its event is logged) and never after the round ends (its
     * write from what is logged is not put off).
     */
    static long nextLook(long now, int checks, long roundEnds) {
        long wait = Math.min(TICK.toNanos() << Math.min(checks, 20), MOST_BETWEEN_LOOKS.toNanos());
        return roundEnds - (now + wait) < 0 ? roundEnds : now + wait;
    }

    /**
     * Writes the pages and the snapshot due. The consumer writes at most one call of {@link LogPageWriter#extend}
     * per due (a long history is paged over several); the background thread writes every full page logged,
     * since the dues it writes stand for many.
     */
    private boolean write(String customerId, Due due, boolean allPages) {
        boolean failed = false;
        if (due.pages()) {
            try {
                int written = allPages ? pageWriter.extendAll(customerId) : pageWriter.extend(customerId);
                log.debug("{} log pages of {}", written, customerId);
            } catch (RuntimeException e) {
                // pages are only a shortcut: whatever failed, the snapshot below is still tried
                failed = true;
                pageFailures.increment();
                log.warn(
                        "could not write log pages of {}; trying again later: {}",
                        customerId,
                        e.getClass().getSimpleName());
            }
        }
        if (!due.snapshot()) {
            return !failed;
        }
        try {
            SnapshotWriter.Outcome outcome = writer.snapshot(customerId);
            log.debug("snapshot of {}: {}", customerId, outcome);
        } catch (RuntimeException e) {
            failed = true;
            failures.increment();
            log.warn(
                    "could not snapshot {}; trying again later: {}",
                    customerId,
                    e.getClass().getSimpleName());
        }
        return !failed;
    }

    /**
     * The event id and valid time of the record, read without validating the rest (the log writer does); {@code null}
     * when it has none (it is never logged: nothing to wait for).
     */
    private static DueEvent event(ConsumerRecord<String, String> record) {
        try {
            JsonNode node = EventJson.parse(record.value());
            JsonNode id = node.get("event_id");
            JsonNode timestamp = node.get("timestamp_utc");
            if (id == null || !id.isString() || timestamp == null || !timestamp.isString()) {
                return null;
            }
            return Timestamps.parse(timestamp.stringValue())
                    .map(at -> new DueEvent(at, id.stringValue()))
                    .orElse(null);
        } catch (InvalidEventException notJson) {
            return null;
        }
    }

    /**
     * For the consumer: whether the due's event is logged, and when DynamoDB fails to say, {@code true} too (the
     * writes then fail as well, are logged and counted, and the customer's next due event tries again).
     */
    private boolean loggedOrUnknown(String customerId, Due due) {
        try {
            return logged(customerId, due);
        } catch (RuntimeException storeFailed) {
            return true;
        }
    }

    /** Whether the due's event is in the log and in the customer's view; a record that was not an event is. */
    private boolean logged(String customerId, Due due) {
        return due.event() == null
                || folded.folded(
                        customerId, due.event().timestampUtc(), due.event().eventId());
    }

    /**
     * At shutdown (the listener has normally stopped: no new dues), what is set aside is written from what is logged:
     * each customer's snapshot and at most one call of pages, customer after customer, none begun after {@link
     * #SHUTDOWN_WRITES} (a write begun may take its store calls' time-outs), and none after a write fails (the store
     * is failing: the rest would only wait for their time-outs). Set aside only in memory, it would be lost with the
     * process: a restart during or after a load left the load's last snapshots and pages unwritten until the
     * customer's next events. The background thread is not interrupted: a write it began ends first (an interrupted
     * store call would fail it, its due already taken out of what is set aside).
     */
    @Override
    public void destroy() throws InterruptedException {
        long deadline = System.nanoTime() + SHUTDOWN_WRITES.toNanos();
        closing = true;
        background.shutdown();
        if (!background.awaitTermination(SHUTDOWN_WRITES.toNanos(), TimeUnit.NANOSECONDS)) {
            log.warn("the snapshot trigger's background write did not end within {} s", SHUTDOWN_WRITES.toSeconds());
        }
        writeSetAside(deadline);
    }

    /** Writes what is set aside from what is logged (see {@link #destroy}); returns how many customers were left. */
    int writeSetAside(long deadline) {
        int written = 0;
        int left = 0;
        boolean failing = false;
        for (Map.Entry<String, Due> entry : pending.entrySet()) {
            if (failing || System.nanoTime() - deadline >= 0) {
                left++;
            } else if (pending.remove(entry.getKey(), entry.getValue())) {
                if (write(entry.getKey(), entry.getValue(), false)) {
                    written++;
                } else {
                    failing = true;
                    left++;
                }
            }
        }
        if (written + left > 0) {
            log.info(
                    "at shutdown, snapshots and pages set aside for the log writer: {} customers' written from what is"
                            + " logged, {} not (their next due events bring them)",
                    written,
                    left);
        }
        return left;
    }
}
