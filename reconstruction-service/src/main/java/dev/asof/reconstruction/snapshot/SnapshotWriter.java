package dev.asof.reconstruction.snapshot;

import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.reconstruction.resilience.Deadline;
import dev.asof.reconstruction.state.IdentityRead;
import dev.asof.reconstruction.state.IdentityStates;
import dev.asof.reconstruction.state.SnapshotDirectory;
import dev.asof.support.storage.LogRanges;
import dev.asof.support.storage.ProfileViews;
import dev.asof.support.storage.Snapshots;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Saves one identity's fold as a snapshot. The rectangle comes from the stored view, never from a Kafka record:
 * {@code Ks} = the view's {@code last_recorded_at} and {@code Ts} = its {@code max_timestamp_ms}, read together in
 * one item. Every event logged so far with {@code recorded_at <= Ks} is stamped at or before {@code Ts}, and every
 * event logged later with a valid time at or before {@code Ts} is late, so it is found through {@code by_lateness}:
 * that is what lets a read start from this snapshot, and why no snapshot ever needs rewriting.
 *
 * <p>The state is folded from the log (starting from the previous snapshot), not copied from the view, and checked
 * against the view's state: a snapshot that disagrees with the view is not written.
 *
 * <p>Before the head snapshot it fills the gap since the previous one with a snapshot every {@code every-events}
 * events along valid time (same {@code Ks}, each {@code Ts} the valid time of a logged event, cut only between
 * different valid times). When the writer falls behind a fast load, the triggers it missed collapse into one
 * call, and without this a history loaded in one burst would get a single snapshot at its end, leaving reads in
 * the middle of it to fold everything from the start.
 */
@Component
public class SnapshotWriter {

    private static final Logger log = LoggerFactory.getLogger(SnapshotWriter.class);

    /** What {@link #snapshot} did. */
    public enum Outcome {
        /** A new snapshot was written. */
        WRITTEN,
        /** A snapshot with the same rectangle existed already. */
        EXISTS,
        /** Nothing was logged since the latest usable snapshot. */
        UP_TO_DATE,
        /** The identity has no view (no event logged yet). */
        NO_EVENTS,
        /** The fold from the log differs from the view: nothing written (logged as a warning). */
        VIEW_MISMATCH
    }

    private static final int SCAN_PAGE = 1000;

    private final ProfileViews views;
    private final Snapshots snapshots;
    private final LogRanges logRanges;
    private final SnapshotProperties properties;
    private final IdentityStates states;
    private final SnapshotDirectory directory;
    private final Clock clock;
    private final MeterRegistry metrics;

    SnapshotWriter(
            ProfileViews views,
            Snapshots snapshots,
            LogRanges logRanges,
            SnapshotProperties properties,
            IdentityStates states,
            SnapshotDirectory directory,
            Clock clock,
            MeterRegistry metrics) {
        this.directory = directory;
        this.views = views;
        this.snapshots = snapshots;
        this.logRanges = logRanges;
        this.properties = properties;
        this.states = states;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Snapshots {@code customerId} at its view's current rectangle. Idempotent. */
    public Outcome snapshot(String customerId) {
        Outcome outcome = write(customerId);
        metrics.counter("asof.snapshots.written", "result", outcome.name().toLowerCase(Locale.ROOT))
                .increment();
        return outcome;
    }

    /**
     * Fills the stretch of valid time before {@code validAt} (or before the view's latest valid time, if earlier)
     * since the nearest snapshot with a snapshot every {@code every-events} events, at the view's current {@code
     * last_recorded_at}. Returns how many were written. Idempotent.
     */
    public int fillBefore(String customerId, Instant validAt) {
        Optional<ProfileViews.Head> head = views.head(customerId);
        if (head.isEmpty() || head.get().maxTimestampMillis() == Long.MIN_VALUE) {
            return 0;
        }
        // Ts at or before the head of the view that gave Ks: the late-event rule holds for every snapshot written.
        long validTo = Math.min(validAt.toEpochMilli(), head.get().maxTimestampMillis());
        int written = fillGap(customerId, validTo, head.get().lastRecordedAt());
        metrics.counter("asof.snapshots.written", "result", "repair").increment(written);
        return written;
    }

    private int fillGap(String customerId, long validTo, long recordedTo) {
        Optional<Snapshots.Snapshot> previous =
                snapshots.latestUsable(customerId, Instant.ofEpochMilli(validTo), recordedTo);
        IdentityState state = IdentityState.empty(customerId);
        long covered = 0;
        Instant from = null;
        if (previous.isPresent()) {
            IdentityRead base = states.read(customerId, previous.get().validTo(), recordedTo, Deadline.none());
            state = base.state();
            covered = base.eventsCovered();
            from = previous.get().validTo().plusMillis(1);
        }
        Iterator<RecordedEvent> events =
                logRanges.validTimeScan(customerId, from, Instant.ofEpochMilli(validTo), recordedTo, SCAN_PAGE);
        int sinceLast = 0;
        int written = 0;
        long lastMillis = Long.MIN_VALUE;
        while (events.hasNext()) {
            RecordedEvent event = events.next();
            long millis = event.event().timestampUtc().toEpochMilli();
            if (sinceLast >= properties.everyEvents() && millis > lastMillis && lastMillis < validTo) {
                if (save(new Snapshots.Snapshot(state, lastMillis, recordedTo, covered))) {
                    written++;
                }
                sinceLast = 0;
            }
            state = ProfileFold.evolve(state, event);
            covered++;
            sinceLast++;
            lastMillis = millis;
        }
        return written;
    }

    private Outcome write(String customerId) {
        Optional<ProfileViews.View> found = views.find(customerId);
        if (found.isEmpty() || found.get().maxTimestampMillis() == Long.MIN_VALUE) {
            return Outcome.NO_EVENTS;
        }
        ProfileViews.View view = found.get();
        long validTo = view.maxTimestampMillis();
        long recordedTo = view.lastRecordedAt();
        if (snapshots.exists(customerId, validTo, recordedTo)) {
            return Outcome.EXISTS;
        }
        int filled = fillGap(customerId, validTo, recordedTo);
        metrics.counter("asof.snapshots.written", "result", "gap").increment(filled);
        IdentityRead read = states.read(customerId, Instant.ofEpochMilli(validTo), recordedTo, Deadline.none());
        if (read.snapshot() != null && read.eventsFromLog() == 0) {
            return Outcome.UP_TO_DATE;
        }
        if (!read.state().equals(view.state())) {
            log.warn(
                    "not snapshotting {} at ({}, {}): the fold of the log differs from the view",
                    customerId,
                    validTo,
                    recordedTo);
            return Outcome.VIEW_MISMATCH;
        }
        boolean written = save(new Snapshots.Snapshot(read.state(), validTo, recordedTo, read.eventsCovered()));
        return written ? Outcome.WRITTEN : Outcome.EXISTS;
    }

    /** Saves {@code snapshot}; once written, this instance's reads know of it ({@link SnapshotDirectory#written}). */
    private boolean save(Snapshots.Snapshot snapshot) {
        if (!snapshots.save(snapshot, clock.instant())) {
            return false;
        }
        directory.written(snapshot.state().customerId(), snapshot.validToMillis(), snapshot.recordedTo());
        return true;
    }
}
