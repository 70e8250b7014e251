package dev.asof.reconstruction.snapshot;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asof.reconstruction.state.KeyedBackgroundWork;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Snapshots asked for by reads. A read that had to fold more than twice {@code every-events} logged events found a
 * stretch of valid time without snapshots: a history imported out of order (its events all arrived behind the
 * head, so the snapshots along it sit at its end), or one the background writer has not reached yet. The read
 * asks for that stretch to be filled ({@link SnapshotWriter#fillBefore}); the next read there starts from a near
 * snapshot. The work runs on one background thread, at most one request per customer at a time, and requests
 * beyond a short queue are dropped: a later slow read asks again. A customer is repaired at most once a minute.
 */
@Component
public class SnapshotRepairs implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SnapshotRepairs.class);

    private static final int QUEUE = 64;

    private static final Duration COOL_DOWN = Duration.ofMinutes(1);

    private final SnapshotWriter writer;
    private final int threshold;
    private final boolean enabled;
    /** Customers repaired a moment ago: a repair that could not help (too few events to cut) is not redone at once. */
    private final Cache<String, Boolean> recent = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(COOL_DOWN)
            .build();

    private final KeyedBackgroundWork worker;
    private final Counter requested;
    private final Counter dropped;

    SnapshotRepairs(SnapshotWriter writer, SnapshotProperties properties, MeterRegistry metrics) {
        this.writer = writer;
        this.threshold = 2 * properties.everyEvents();
        this.enabled = properties.enabled();
        this.worker = new KeyedBackgroundWork("snapshot-repairs", QUEUE);
        this.requested = metrics.counter("asof.snapshots.repairs", "result", "requested");
        this.dropped = metrics.counter("asof.snapshots.repairs", "result", "dropped");
    }

    /** Called after a read of {@code customerId} at {@code validAt} folded {@code eventsFromLog} logged events. */
    public void afterRead(String customerId, Instant validAt, int eventsFromLog) {
        if (!enabled || eventsFromLog <= threshold || recent.getIfPresent(customerId) != null) {
            return;
        }
        KeyedBackgroundWork.Submitted submitted = worker.submit(customerId, () -> repair(customerId, validAt));
        if (submitted == KeyedBackgroundWork.Submitted.QUEUED) {
            requested.increment();
        } else if (submitted == KeyedBackgroundWork.Submitted.REFUSED) {
            dropped.increment();
        }
    }

    private void repair(String customerId, Instant validAt) {
        try {
            int written = writer.fillBefore(customerId, validAt);
            log.debug("filled the snapshots of {} before {}: {} written", customerId, validAt, written);
        } catch (RuntimeException e) {
            // Only a shortcut: the read that asked was answered from the log, and a later one asks again.
            log.warn("could not fill the snapshots of {} before {}: {}", customerId, validAt, e.toString());
        } finally {
            recent.put(customerId, Boolean.TRUE);
        }
    }

    @Override
    public void destroy() {
        worker.close();
    }
}
