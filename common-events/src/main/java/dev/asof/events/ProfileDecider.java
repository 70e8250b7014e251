package dev.asof.events;

import java.time.Instant;
import java.util.List;

/**
 * Decide beside evolve: the pure decisions on merge and unmerge commands, next to {@link ProfileFold}. A command
 * plus what is known of the identities it involves gives the events to append, or a {@link Decision.Refused}
 * with a stable {@link RefusalKind}. No I/O, no clock: the effective time and the event id come in with the
 * command.
 *
 * <p>The rules are checked in this order, and the first that fails decides:
 *
 * <ol>
 *   <li>{@code self-merge}: A = B;
 *   <li>{@code profile-not-found}: A, then B, has no event at all;
 *   <li>merge: {@code already-merged} when A has an active merge link at the effective time (into B or anyone
 *       else), then {@code merge-cycle} when B resolves to A at the effective time;
 *   <li>unmerge: {@code not-merged} when A's latest link at the effective time is not an active merge into B.
 * </ol>
 *
 * <p>"At the effective time" means what {@link ProfileFold#foldAt} gives for that valid time; links with a later
 * valid time do not take part, so a retroactive merge may form a cycle with a later link, which {@link
 * ProfileResolver} already resolves deterministically.
 */
public final class ProfileDecider {

    private ProfileDecider() {}

    /**
     * Merges A ({@code mergedFrom}) into B ({@code mergedInto}). Accepted: one {@code CUSTOMER_PROFILE_MERGE} in
     * the stream of A, valid at the command's effective time.
     */
    public static Decision decide(MergeProfiles command, KnownIdentities known) {
        String a = command.mergedFrom();
        String b = command.mergedInto();
        if (a.equals(b)) {
            return new Decision.Refused(RefusalKind.SELF_MERGE, a + " cannot be merged into itself");
        }
        Decision.Refused missing = missing(a, b, known);
        if (missing != null) {
            return missing;
        }
        MergeLink link = known.linkOf(a);
        if (link != null && link.active()) {
            return new Decision.Refused(
                    RefusalKind.ALREADY_MERGED,
                    a + " is already merged into " + link.mergedInto() + " at " + command.effectiveAt());
        }
        if (ProfileResolver.resolve(b, known.states()).equals(a)) {
            return new Decision.Refused(
                    RefusalKind.MERGE_CYCLE,
                    b + " resolves to " + a + " at " + command.effectiveAt() + "; merging " + a
                            + " into it would close a cycle");
        }
        return accepted(
                command.eventId(),
                command.effectiveAt(),
                a,
                new ProfileMerged(b, a, command.reason(), command.decidedBy(), command.evidence()));
    }

    /**
     * Undoes the merge of A ({@code mergedFrom}) into B ({@code mergedInto}). Accepted: one {@code
     * CUSTOMER_PROFILE_UNMERGE} in the stream of A, valid at the command's effective time.
     */
    public static Decision decide(UnmergeProfiles command, KnownIdentities known) {
        String a = command.mergedFrom();
        String b = command.mergedInto();
        if (a.equals(b)) {
            return new Decision.Refused(RefusalKind.SELF_MERGE, a + " cannot be unmerged from itself");
        }
        Decision.Refused missing = missing(a, b, known);
        if (missing != null) {
            return missing;
        }
        MergeLink link = known.linkOf(a);
        if (link == null || !link.active() || !link.mergedInto().equals(b)) {
            return new Decision.Refused(
                    RefusalKind.NOT_MERGED, a + " is not merged into " + b + " at " + command.effectiveAt());
        }
        return accepted(
                command.eventId(),
                command.effectiveAt(),
                a,
                new ProfileUnmerged(b, a, command.reason(), command.decidedBy(), command.evidence()));
    }

    private static Decision.Refused missing(String a, String b, KnownIdentities known) {
        for (String identity : List.of(a, b)) {
            if (!known.hasHistory(identity)) {
                return new Decision.Refused(RefusalKind.PROFILE_NOT_FOUND, identity + " has no events");
            }
        }
        return null;
    }

    private static Decision accepted(String eventId, Instant effectiveAt, String mergedFrom, ProfileEvent payload) {
        // no source_system: a merge is an identity decision, not a change from a contact-centre source
        return new Decision.Accepted(List.of(new EventEnvelope(
                eventId, effectiveAt, mergedFrom, null, EventMetadata.EMPTY, payload, EventEnvelope.SCHEMA_VERSION)));
    }
}
