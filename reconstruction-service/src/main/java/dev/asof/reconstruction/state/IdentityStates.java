package dev.asof.reconstruction.state;

import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.reconstruction.resilience.Deadline;
import dev.asof.support.storage.LateTiers;
import dev.asof.support.storage.LogRanges;
import dev.asof.support.storage.ProfileViews;
import dev.asof.support.storage.Snapshots;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;

/**
 * One identity's state at valid time T as known at recorded bound K, from the nearest usable snapshot plus the
 * log. A snapshot covers exactly {events with {@code ts <= Ts} and {@code recorded_at <= Ks}} and was taken at the
 * latest valid time logged when Ks was the latest recorded_at, so what it misses of (T, K) is
 *
 * <ul>
 *   <li>(a) the events with {@code Ts < ts <= T} and {@code recorded_at <= K} (a valid-time range of the log), and
 *   <li>(b) the events with {@code ts <= Ts} recorded in (Ks, K]: every one of them arrived when the customer's
 *       latest logged valid time was already at least {@code Ts}, so the log writer listed it in the sparse {@code
 *       by_lateness} index, in the window before {@code Ts} of its tier of lateness ({@link LateTiers}).
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
    private final StoreCalls calls;
    private final Counter snapshotHits;
    private final Counter snapshotMisses;

    IdentityStates(LogRanges log, Snapshots snapshots, ProfileViews views, StoreCalls calls, MeterRegistry metrics) {
        this.log = log;
        this.calls = calls;
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
     * Two rounds of DynamoDB calls: the view's head and the nearest snapshot together, then the log range after the
     * snapshot and the late arrivals of each of the view's lateness tiers together.
     */
    public IdentityRead read(String customerId, Instant validAt, long recordedBound, Deadline deadline) {
        deadline.check();
        // The head is read before the log: an event logged after this read is recorded after the watermark, and
        // every late event recorded at or before it is listed under one of the head's tiers.
        CompletableFuture<Optional<ProfileViews.Head>> headRead = calls.start(() -> views.head(customerId));
        Optional<Snapshots.Snapshot> found = snapshots.latestUsable(customerId, validAt, recordedBound);
        Optional<ProfileViews.Head> head = StoreCalls.result(headRead);
        Long watermark = head.map(ProfileViews.Head::lastRecordedAt).orElse(null);
        if (found.isEmpty()) {
            snapshotMisses.increment();
            deadline.check();
            List<RecordedEvent> events = log.validTimeRange(customerId, null, validAt, recordedBound);
            return new IdentityRead(fold(customerId, events), events.size(), null, watermark);
        }
        snapshotHits.increment();
        Snapshots.Snapshot snapshot = found.get();
        int tiers = head.map(ProfileViews.Head::lateTiers).orElse(0);
        deadline.check();
        List<CompletableFuture<List<RecordedEvent>>> late = new ArrayList<>();
        for (int tier = 0; tier <= LateTiers.LAST; tier++) {
            if ((tiers & LateTiers.bit(tier)) != 0) {
                int lateTier = tier;
                late.add(calls.start(() -> log.lateArrivals(
                        customerId, lateTier, snapshot.recordedTo(), recordedBound, snapshot.validTo())));
            }
        }
        List<RecordedEvent> events =
                new ArrayList<>(log.validTimeRange(customerId, snapshot.validTo(), validAt, recordedBound));
        for (CompletableFuture<List<RecordedEvent>> tier : late) {
            events.addAll(StoreCalls.result(tier));
        }
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
