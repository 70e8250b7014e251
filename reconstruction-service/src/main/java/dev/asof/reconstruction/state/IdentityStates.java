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
    private final LateArrivals lateArrivals;
    private final Counter snapshotHits;
    private final Counter snapshotMisses;

    IdentityStates(
            LogRanges log,
            Snapshots snapshots,
            ProfileViews views,
            StoreCalls calls,
            LateArrivals lateArrivals,
            MeterRegistry metrics) {
        this.log = log;
        this.calls = calls;
        this.lateArrivals = lateArrivals;
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
     * The state of {@code customerId} at {@code validAt} over the events with {@code recorded_at <= recordedBound}
     * that the identity's view has folded in: the bound is cut to the view's {@code last_recorded_at}, so an answer
     * never holds part of a batch the log writer is still writing, and the same (T, K) always gets the same answer
     * once the view has passed K. An identity without a view has no events yet.
     *
     * <p>Two rounds of DynamoDB calls: the view's head and the nearest snapshot together, then the log range after
     * the snapshot together with the late arrivals: from memory caught up with what was recorded since ({@link
     * LateArrivals}), or one range per lateness tier of the view.
     */
    public IdentityRead read(String customerId, Instant validAt, long recordedBound, Deadline deadline) {
        deadline.check();
        // Every event recorded at or before the head's last_recorded_at is in the log, and each late one is listed
        // under one of the head's tiers: the view is written after its batch's log items.
        CompletableFuture<Optional<ProfileViews.Head>> headRead = calls.start(() -> views.head(customerId));
        Optional<Snapshots.Snapshot> found = snapshots.latestUsable(customerId, validAt, recordedBound);
        Optional<ProfileViews.Head> head = StoreCalls.result(headRead);
        if (head.isEmpty()) {
            return new IdentityRead(IdentityState.empty(customerId), 0, null, null);
        }
        long watermark = head.get().lastRecordedAt();
        long bound = Math.min(recordedBound, watermark);
        if (found.isPresent() && found.get().recordedTo() > bound) {
            // written from a view newer than the head just read: look again within the bound
            deadline.check();
            found = snapshots.latestUsable(customerId, validAt, bound);
        }
        if (found.isEmpty()) {
            snapshotMisses.increment();
            deadline.check();
            List<RecordedEvent> events = log.validTimeRange(customerId, null, validAt, bound);
            return new IdentityRead(fold(customerId, events), events.size(), null, watermark);
        }
        snapshotHits.increment();
        Snapshots.Snapshot snapshot = found.get();
        // Nothing folded into the view since the snapshot was taken: no late arrival to look for.
        int tiers = bound <= snapshot.recordedTo() ? 0 : head.get().lateTiers();
        deadline.check();
        Optional<LateArrivals.Entry> kept = tiers == 0 ? Optional.empty() : lateArrivals.find(customerId);
        CompletableFuture<List<RecordedEvent>> catchUp = null;
        List<CompletableFuture<List<RecordedEvent>>> late = new ArrayList<>();
        if (kept.isPresent() && kept.get().completeTo() < watermark) {
            long from = kept.get().completeTo();
            catchUp = calls.start(() -> log.lateArrivalsRecorded(customerId, from, watermark));
        } else if (kept.isEmpty()) {
            for (int tier = 0; tier <= LateTiers.LAST; tier++) {
                if ((tiers & LateTiers.bit(tier)) != 0) {
                    int lateTier = tier;
                    late.add(calls.start(() ->
                            log.lateArrivals(customerId, lateTier, snapshot.recordedTo(), bound, snapshot.validTo())));
                }
            }
        }
        List<RecordedEvent> events =
                new ArrayList<>(log.validTimeRange(customerId, snapshot.validTo(), validAt, bound));
        if (kept.isPresent()) {
            LateArrivals.Entry entry = catchUp == null
                    ? kept.get()
                    : lateArrivals.extend(customerId, kept.get(), StoreCalls.result(catchUp), watermark);
            events.addAll(entry.select(snapshot.recordedTo(), bound, snapshot.validTo()));
            lateArrivals.counted(true);
        } else if (tiers != 0) {
            for (CompletableFuture<List<RecordedEvent>> tier : late) {
                events.addAll(StoreCalls.result(tier));
            }
            lateArrivals.counted(false);
            lateArrivals.load(customerId);
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
