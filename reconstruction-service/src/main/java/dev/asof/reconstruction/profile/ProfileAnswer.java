package dev.asof.reconstruction.profile;

import dev.asof.events.Profile;
import java.time.Instant;
import java.util.Objects;

/**
 * A customer's profile as resolved across merges at one valid time and system time, and how it was computed.
 *
 * @param profile the resolved profile: the identity asked about, the one it resolves to, the visible attributes
 *     (each with the change that set it) and the member identities whose histories make it up
 * @param asOf the valid time (T), whole milliseconds
 * @param knownAt the system time (K), whole milliseconds
 * @param snapshotAt the latest valid-time bound of the snapshots the members' states started from; {@code null}
 *     when every state was folded from the start of the log (or for the current view)
 * @param eventsApplied logged events folded on top of the snapshots, over all members; {@code null} for the current
 *     view, which folds nothing
 * @param customerErasure the latest erasure of the identity asked about in its fold at (T, K); {@code null} if none:
 *     every value of its own in the answer is ordered after it
 */
public record ProfileAnswer(
        Profile profile,
        Instant asOf,
        Instant knownAt,
        Instant snapshotAt,
        Integer eventsApplied,
        dev.asof.events.Version customerErasure) {

    public ProfileAnswer {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(asOf, "asOf");
        Objects.requireNonNull(knownAt, "knownAt");
    }
}
