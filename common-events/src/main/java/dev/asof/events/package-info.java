/**
 * The asof event contract: the unified envelope, the event types, their wire form, the pure fold
 * that turns events into a customer profile, and the pure decisions on merge and unmerge commands.
 *
 * <h2>Semantics of a profile</h2>
 *
 * The profile of customer C at valid time T as known at system time K is built from the events with
 * {@code timestamp_utc <= T} that were durably recorded ({@code recorded_at}) at or before K, that is with
 * {@code recordedAt <= Hlc.upperBound(K)}.
 *
 * <ul>
 *   <li>Per attribute the latest event wins, ordered by ({@code timestamp_utc}, {@code recorded_at},
 *       {@code event_id}, position inside a bulk update). Arrival order never matters.
 *   <li>A {@code null} new value removes the attribute.
 *   <li>An erasure of identity X at time E hides every attribute version of X ordered before the erasure; it
 *       affects only X's own events, not those of identities merged into X. It also ends X's own merge ordered
 *       before it: from E, X is no longer merged into anything ({@link dev.asof.events.IdentityState#linkInForce}).
 *   <li>After A is merged into B at time M, B at T &gt;= M includes A's whole history and A resolves to
 *       B. After an unmerge at U, B at T &gt;= U no longer includes A and A stands alone. Chains resolve
 *       recursively; of the merges that would close a cycle, the latest is ignored.
 * </ul>
 *
 * The state of one identity ({@link dev.asof.events.IdentityState}) is a join of per-attribute versions,
 * so a snapshot is just a partial result, a late event simply joins in, and merged histories combine by
 * the same rule.
 *
 * <h2>Decisions</h2>
 *
 * Beside the fold, {@link dev.asof.events.ProfileDecider} decides merge and unmerge commands just as purely:
 * a command and the {@link dev.asof.events.KnownIdentities} at its effective time give the events to append
 * or a refusal with a stable {@link dev.asof.events.RefusalKind}.
 */
package dev.asof.events;
