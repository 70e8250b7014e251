package dev.asof.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@link ProfileDecider} knows of the identities a command involves: which have any event at all, and their
 * states folded at the command's effective time (as known now).
 *
 * <p>For a merge of A into B, {@code states} must hold A, B and every identity on B's chain of active merge links at
 * the effective time; an identity missing from {@code states} counts as one without links.
 *
 * @param withHistory the identities with at least one event, at any valid time
 * @param states the {@link IdentityState} of each identity at the effective time, as {@link ProfileFold#foldAt}
 *     gives it
 */
public record KnownIdentities(Set<String> withHistory, Map<String, IdentityState> states) {

    public KnownIdentities {
        withHistory = Set.copyOf(withHistory);
        states = Map.copyOf(states);
    }

    /** Folds every identity of {@code log} at {@code effectiveAt}, with everything the log has recorded. */
    public static KnownIdentities at(Instant effectiveAt, Iterable<RecordedEvent> log) {
        Map<String, List<RecordedEvent>> streams = new TreeMap<>();
        for (RecordedEvent event : log) {
            streams.computeIfAbsent(event.event().customerId(), id -> new ArrayList<>())
                    .add(event);
        }
        Map<String, IdentityState> states = new TreeMap<>();
        streams.forEach((identity, events) ->
                states.put(identity, ProfileFold.foldAt(identity, events, effectiveAt, Instant.MAX)));
        return new KnownIdentities(new HashSet<>(streams.keySet()), states);
    }

    /** Whether {@code identity} has any event. */
    public boolean hasHistory(String identity) {
        return withHistory.contains(identity);
    }

    /**
     * The merge link of {@code identity} in force at the effective time ({@link IdentityState#linkInForce}: an erasure
     * ends it); {@code null} if it never had one.
     */
    public MergeLink linkOf(String identity) {
        IdentityState state = states.get(Objects.requireNonNull(identity, "identity"));
        return state == null ? null : state.linkInForce();
    }
}
