package dev.asof.reconstruction.state;

import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.reconstruction.resilience.Deadline;
import dev.asof.support.storage.LogRanges;
import dev.asof.support.storage.ProfileViews;
import dev.asof.support.storage.Snapshots;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * One identity's state at valid time T as known at recorded bound K, from the nearest usable snapshot plus the
 * log. A snapshot covers exactly {events with {@code ts <= Ts} and {@code recorded_at <= Ks}} and was taken at the
 * latest valid time logged when Ks was the latest recorded_at, so what it misses of (T, K) is
 *
 * <ul>
 *   <li>(a) the events with {@code Ts < ts <= T} and {@code recorded_at <= K} (a valid-time range of the log), and
 *   <li>(b) the events with {@code ts <= Ts} recorded in (Ks, K]: every one of them was stamped at or before a
 *       valid time already logged when it arrived, so the log writer listed it in the sparse {@code by_late} index.
 * </ul>
 *
 * The state is {@code join(snapshot, fold(a ∪ b))}: the fold is a join, so a late event simply joins in, and no
 * snapshot ever needs rewriting to stay correct.
 */
@Component
public class IdentityStates {

    private final LogRanges log;
    private final Snapshots snapshots;
    private final ProfileViews views;
    private final Counter snapshotHits;
    private final Counter snapshotMisses;

    IdentityStates(LogRanges log, Snapshots snapshots, ProfileViews views, MeterRegistry metrics) {
        this.log = log;
        this.snapshots = snapshots;
        this.views = views;
        this.snapshotHits = Counter.builder("asof.reconstruction.snapshots")
                .description("identity states read starting from a snapshot (hit) or from the start of the log (miss)")
                .tag("result", "hit")
                .register(metrics);
        this.snapshotMisses = Counter.builder("asof.reconstruction.snapshots")
                .description("identity states read starting from a snapshot (hit) or from the start of the log (miss)")
                .tag("result", "miss")
                .register(metrics);
    }

    /**
     * The state of {@code customerId} at {@code validAt} over the events with {@code recorded_at <= recordedBound}.
     *
     * @param withWatermark whether to read the identity's view first, for {@link IdentityRead#watermark()}
     */
    public IdentityRead read(
            String customerId, Instant validAt, long recordedBound, Deadline deadline, boolean withWatermark) {
        Long watermark = null;
        if (withWatermark) {
            // Read before the log: an event logged after this read is recorded after the watermark.
            deadline.check();
            watermark = views.find(customerId)
                    .map(ProfileViews.View::lastRecordedAt)
                    .orElse(null);
        }
        deadline.check();
        Optional<Snapshots.Snapshot> found = snapshots.latestUsable(customerId, validAt, recordedBound);
        if (found.isEmpty()) {
            snapshotMisses.increment();
            deadline.check();
            List<RecordedEvent> events = log.validTimeRange(customerId, null, validAt, recordedBound);
            return new IdentityRead(fold(customerId, events), events.size(), null, watermark);
        }
        snapshotHits.increment();
        Snapshots.Snapshot snapshot = found.get();
        deadline.check();
        List<RecordedEvent> events =
                new ArrayList<>(log.validTimeRange(customerId, snapshot.validTo(), validAt, recordedBound));
        deadline.check();
        events.addAll(log.lateArrivals(customerId, snapshot.recordedTo(), recordedBound, snapshot.validTo()));
        IdentityState state = ProfileFold.join(snapshot.state(), fold(customerId, events));
        return new IdentityRead(state, events.size(), snapshot, watermark);
    }

    private static IdentityState fold(String customerId, List<RecordedEvent> events) {
        IdentityState state = IdentityState.empty(customerId);
        for (RecordedEvent event : events) {
            state = ProfileFold.evolve(state, event);
        }
        return state;
    }
}
