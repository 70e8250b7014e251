package dev.asof.reconstruction.state;

import dev.asof.events.IdentityState;
import dev.asof.support.storage.Snapshots;
import java.util.List;

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
}
