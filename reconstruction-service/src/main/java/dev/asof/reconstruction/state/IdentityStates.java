package dev.asof.reconstruction.state;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.reconstruction.resilience.Deadline;
import dev.asof.support.storage.ConcurrentCalls;
import dev.asof.support.storage.HeadReads;
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

    /** A read that folds more logged events than this after its snapshot asks for the directory to be reloaded. */
    private static final int DIRECTORY_BEHIND = 256;

    /** A catch-up of the in-memory late arrivals reads at most this many logged events; beyond, the tiers answer. */
    private static final int CATCH_UP_LIMIT = 2_000;

    private final LogRanges log;
    private final Snapshots snapshots;
    private final HeadReads heads;
    private final ConcurrentCalls calls;
    private final LateArrivals lateArrivals;
    private final SnapshotDirectory directory;
    private final Cache<String, ProfileViews.Head> headsSeen =
            Caffeine.newBuilder().maximumSize(100_000).build();
    private final Counter oneRoundReads;
    private final Counter snapshotHits;
    private final Counter snapshotMisses;

    IdentityStates(
            LogRanges log,
            Snapshots snapshots,
            HeadReads heads,
            ConcurrentCalls calls,
            LateArrivals lateArrivals,
            SnapshotDirectory directory,
            MeterRegistry metrics) {
        this.log = log;
        this.calls = calls;
        this.lateArrivals = lateArrivals;
        this.directory = directory;
        this.oneRoundReads = Counter.builder("asof.reconstruction.one_round_reads")
                .description("identity states read in one round of DynamoDB calls, from the kept head and snapshot"
                        + " directory")
                .register(metrics);
        this.snapshots = snapshots;
        this.heads = heads;
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
     * <p>An identity read before, whose snapshot directory is kept, is read in one round of DynamoDB calls: the
     * view's head, the log range after the nearest snapshot and the late arrivals all at once, bounded by the head
     * seen last time. When the head read in that round shows nothing was folded since (or K is not later than
     * the head seen last time), that is the answer; otherwise the read starts again the ordinary way. The ordinary
     * way is two rounds: the view's head and the nearest snapshot, then the log range and the late arrivals.
     */
    public IdentityRead read(String customerId, Instant validAt, long recordedBound, Deadline deadline) {
        deadline.check();
        Optional<IdentityRead> oneRound = readFromWhatIsKept(customerId, validAt, recordedBound, deadline);
        if (oneRound.isPresent()) {
            oneRoundReads.increment();
            return oneRound.get();
        }
        // Every event recorded at or before the head's last_recorded_at is in the log, and each late one is listed
        // under one of the head's tiers: the view is written after its batch's log items.
        CompletableFuture<HeadReads.Result> first = calls.start(() -> heads.read(customerId, null, 0));
        Optional<Snapshots.Snapshot> found = snapshots.latestUsable(customerId, validAt, recordedBound);
        HeadReads.Result headAndLinks = ConcurrentCalls.result(first);
        List<String> mergedInto = headAndLinks.mergedInto();
        Optional<ProfileViews.Head> head = headAndLinks.head();
        if (head.isEmpty()) {
            return new IdentityRead(IdentityState.empty(customerId), 0, null, null, mergedInto);
        }
        remember(customerId, head.get());
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
            return new IdentityRead(fold(customerId, events), events.size(), null, watermark, mergedInto);
        }
        snapshotHits.increment();
        Snapshots.Snapshot snapshot = found.get();
        directory.keep(customerId, snapshot);
        directory.loadIfMissing(customerId);
        List<RecordedEvent> events = eventsAfter(
                customerId, snapshot.validTo(), snapshot.recordedTo(), head.get(), bound, validAt, deadline);
        IdentityState state = ProfileFold.join(snapshot.state(), fold(customerId, events));
        return new IdentityRead(state, events.size(), snapshot, watermark, mergedInto);
    }

    /** The one-round read, when the identity's last head and snapshot directory are kept and still hold. */
    private Optional<IdentityRead> readFromWhatIsKept(
            String customerId, Instant validAt, long recordedBound, Deadline deadline) {
        ProfileViews.Head known = headsSeen.getIfPresent(customerId);
        if (known == null) {
            return Optional.empty();
        }
        long bound = Math.min(recordedBound, known.lastRecordedAt());
        Optional<SnapshotDirectory.Rectangle> nearest = directory.nearest(customerId, validAt, bound);
        if (nearest.isEmpty()) {
            return Optional.empty();
        }
        SnapshotDirectory.Rectangle rectangle = nearest.get();
        Optional<Snapshots.Snapshot> kept = directory.kept(customerId, rectangle);
        // the head, the links and (unless kept) the snapshot in one request, beside the log ranges
        CompletableFuture<HeadReads.Result> first = calls.start(
                () -> heads.read(customerId, kept.isPresent() ? null : rectangle.validTo(), rectangle.recordedTo()));
        // Every event recorded at or before the known head was logged before this read began, so these reads
        // see all of them.
        List<RecordedEvent> events = eventsAfter(
                customerId,
                Instant.ofEpochMilli(rectangle.validTo()),
                rectangle.recordedTo(),
                known,
                bound,
                validAt,
                deadline);
        HeadReads.Result headAndLinks = ConcurrentCalls.result(first);
        Optional<ProfileViews.Head> head = headAndLinks.head();
        Optional<Snapshots.Snapshot> snapshot = kept.isPresent() ? kept : headAndLinks.snapshot();
        if (head.isEmpty() || snapshot.isEmpty()) {
            return Optional.empty();
        }
        if (kept.isEmpty()) {
            directory.keep(customerId, snapshot.get());
        }
        remember(customerId, head.get());
        long watermark = head.get().lastRecordedAt();
        boolean foldedSince = watermark != known.lastRecordedAt();
        if (watermark < known.lastRecordedAt() || (foldedSince && recordedBound > known.lastRecordedAt())) {
            // the answer as of the known head is not the answer as of K: read again with the new head
            return Optional.empty();
        }
        snapshotHits.increment();
        IdentityState state = ProfileFold.join(snapshot.get().state(), fold(customerId, events));
        return Optional.of(
                new IdentityRead(state, events.size(), snapshot.get(), watermark, headAndLinks.mergedInto()));
    }

    /**
     * The events a snapshot with rectangle ({@code snapshotValidTo}, {@code snapshotRecordedTo}) misses of (validAt,
     * bound): the log range after it, and the late arrivals recorded after it (from memory caught up to {@code
     * head}, or one range per lateness tier of {@code head}). Every event recorded at or before {@code head} must be
     * in the log already, and {@code bound} must not be after it.
     */
    private List<RecordedEvent> eventsAfter(
            String customerId,
            Instant snapshotValidTo,
            long snapshotRecordedTo,
            ProfileViews.Head head,
            long bound,
            Instant validAt,
            Deadline deadline) {
        long watermark = head.lastRecordedAt();
        // Nothing folded into the view since the snapshot was taken: no late arrival to look for.
        int tiers = bound <= snapshotRecordedTo ? 0 : head.lateTiers();
        deadline.check();
        Optional<LateArrivals.Entry> kept = tiers == 0 ? Optional.empty() : lateArrivals.find(customerId);
        CompletableFuture<Optional<List<RecordedEvent>>> catchUp = null;
        if (kept.isPresent() && kept.get().completeTo() < watermark) {
            long from = kept.get().completeTo();
            catchUp = calls.start(() -> log.lateArrivalsRecorded(customerId, from, watermark, CATCH_UP_LIMIT));
        }
        List<CompletableFuture<List<RecordedEvent>>> late =
                kept.isEmpty() ? lateByTier(customerId, tiers, snapshotValidTo, snapshotRecordedTo, bound) : List.of();
        List<RecordedEvent> events = new ArrayList<>(log.validTimeRange(customerId, snapshotValidTo, validAt, bound));
        if (events.size() > DIRECTORY_BEHIND) {
            // a newer snapshot is likely to exist by now
            directory.load(customerId);
        }
        if (kept.isPresent()) {
            Optional<List<RecordedEvent>> recorded =
                    catchUp == null ? Optional.of(List.of()) : ConcurrentCalls.result(catchUp);
            if (recorded.isPresent()) {
                LateArrivals.Entry entry = catchUp == null
                        ? kept.get()
                        : lateArrivals.extend(customerId, kept.get(), recorded.get(), watermark);
                events.addAll(entry.select(snapshotRecordedTo, bound, snapshotValidTo));
                lateArrivals.counted(true);
                return events;
            }
            // too much was logged since the copy was made: drop it, ask the tiers, and load it again
            lateArrivals.forget(customerId);
            deadline.check();
            late = lateByTier(customerId, tiers, snapshotValidTo, snapshotRecordedTo, bound);
        }
        if (tiers != 0) {
            for (CompletableFuture<List<RecordedEvent>> tier : late) {
                events.addAll(ConcurrentCalls.result(tier));
            }
            lateArrivals.counted(false);
            lateArrivals.load(customerId);
        }
        return events;
    }

    private List<CompletableFuture<List<RecordedEvent>>> lateByTier(
            String customerId, int tiers, Instant snapshotValidTo, long snapshotRecordedTo, long bound) {
        List<CompletableFuture<List<RecordedEvent>>> late = new ArrayList<>();
        for (int tier = 0; tier <= LateTiers.LAST; tier++) {
            if ((tiers & LateTiers.bit(tier)) != 0) {
                int lateTier = tier;
                late.add(calls.start(
                        () -> log.lateArrivals(customerId, lateTier, snapshotRecordedTo, bound, snapshotValidTo)));
            }
        }
        return late;
    }

    private void remember(String customerId, ProfileViews.Head head) {
        headsSeen
                .asMap()
                .merge(customerId, head, (kept, seen) -> kept.lastRecordedAt() >= seen.lastRecordedAt() ? kept : seen);
    }

    private static IdentityState fold(String customerId, List<RecordedEvent> events) {
        IdentityState state = IdentityState.empty(customerId);
        for (RecordedEvent event : events) {
            state = ProfileFold.evolve(state, event);
        }
        return state;
    }
}
