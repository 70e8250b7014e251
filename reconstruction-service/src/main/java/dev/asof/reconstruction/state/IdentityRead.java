package dev.asof.reconstruction.state;

import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.support.storage.Snapshots;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * One identity's state at (T, K), and how it was read.
 *
 * @param state the fold of the identity's own events with {@code timestamp_utc <= T} recorded at or before K
 * @param eventsFromLog events read from the log and folded on top of the snapshot (all of them without one)
 * @param snapshot the snapshot the read started from; {@code null} when it folded the log from the start
 * @param watermark the identity's {@code last_recorded_at} in the view, read before the log (the state holds no
 *     event recorded after it); {@code null} when the identity has no view yet
 * @param mergedInto every identity ever merged directly into this one, read with the view's head
 */
public record IdentityRead(
        IdentityState state, int eventsFromLog, Snapshots.Snapshot snapshot, Long watermark, List<String> mergedInto) {

    /** How many logged events the state holds: those of the snapshot plus those folded on top. */
    public long eventsCovered() {
        return (snapshot == null ? 0 : snapshot.eventsCovered()) + eventsFromLog;
    }

    /**
     * The {@code known_at} an answer built from {@code reads} is exact for: {@code knownAt}, or, when every view read
     * stops before it, the latest recording among them (whole milliseconds). Each identity is read as of {@code
     * min(K, its watermark)}, which leaves out a batch logged but not yet folded into its view; echoed as K, the
     * answer would change once that batch is folded (an outside differential check asked again with the answer's
     * own {@code known_at} and got 7 more events). Asked again with the K returned here, every identity is read as
     * of its same watermark, so the answer is the same; nothing recorded after it is folded anywhere.
     */
    public static Instant exactKnownAt(Instant knownAt, Collection<IdentityRead> reads) {
        long bound = Hlc.upperBound(knownAt);
        long latest = reads.stream()
                .map(IdentityRead::watermark)
                .filter(Objects::nonNull)
                .mapToLong(Long::longValue)
                .max()
                .orElse(bound);
        if (latest >= bound) {
            return knownAt;
        }
        Instant recorded = Hlc.toInstant(latest);
        return recorded.isBefore(knownAt) ? recorded : knownAt;
    }
}
