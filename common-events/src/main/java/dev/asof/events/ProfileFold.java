package dev.asof.events;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The pure fold: {@code evolve(state, event)} and {@code join(a, b)}. No I/O, no clock, no randomness; time
 * comes in as arguments.
 */
public final class ProfileFold {

    private ProfileFold() {}

    /** The state after one more event of the same identity. Idempotent and independent of arrival order. */
    public static IdentityState evolve(IdentityState state, RecordedEvent recorded) {
        EventEnvelope event = recorded.event();
        if (!event.customerId().equals(state.customerId())) {
            throw new IllegalArgumentException("event " + event.eventId() + " is addressed to " + event.customerId()
                    + ", not " + state.customerId());
        }
        Version version = recorded.version();
        ProfileEvent payload = event.payload();
        if (payload instanceof AttributeChanged change) {
            return withAttributes(
                    state,
                    Map.of(
                            change.attributeKey(),
                            new AttributeVersion(
                                    change.attributeKey(), change.newValue(), version, event.sourceSystem())));
        }
        if (payload instanceof BulkProfileUpdate bulk) {
            Map<String, AttributeVersion> changes = new HashMap<>();
            for (int i = 0; i < bulk.changes().size(); i++) {
                BulkProfileUpdate.Change change = bulk.changes().get(i);
                Version at = new Version(version.timestamp(), version.recordedAt(), version.eventId(), i);
                changes.put(
                        change.attributeKey(),
                        new AttributeVersion(change.attributeKey(), change.newValue(), at, event.sourceSystem()));
            }
            return withAttributes(state, changes);
        }
        if (payload instanceof ProfileMerged merged) {
            return withLink(state, new MergeLink(merged.mergedInto(), true, version));
        }
        if (payload instanceof ProfileUnmerged unmerged) {
            return withLink(state, new MergeLink(unmerged.mergedInto(), false, version));
        }
        if (payload instanceof ProfileErased) {
            return erase(state, version);
        }
        throw new IllegalStateException("no fold rule for " + payload.type());
    }

    /** The least upper bound of two states of the same identity. */
    public static IdentityState join(IdentityState a, IdentityState b) {
        if (!a.customerId().equals(b.customerId())) {
            throw new IllegalArgumentException("cannot join " + a.customerId() + " and " + b.customerId());
        }
        IdentityState joined = withAttributes(a, b.attributes());
        if (b.link() != null) {
            joined = withLink(joined, b.link());
        }
        return b.erasedAt() == null ? joined : erase(joined, b.erasedAt());
    }

    /** Folds the events of one identity with {@code timestamp_utc <= validAt} recorded at or before {@code knownAt}. */
    public static IdentityState foldAt(
            String customerId, Iterable<RecordedEvent> events, Instant validAt, Instant knownAt) {
        long recordedBound = Hlc.upperBound(knownAt);
        IdentityState state = IdentityState.empty(customerId);
        for (RecordedEvent event : events) {
            if (!event.event().timestampUtc().isAfter(validAt) && event.recordedAt() <= recordedBound) {
                state = evolve(state, event);
            }
        }
        return state;
    }

    private static IdentityState withAttributes(IdentityState state, Map<String, AttributeVersion> incoming) {
        Map<String, AttributeVersion> attributes = null;
        for (AttributeVersion candidate : incoming.values()) {
            if (state.erasedAt() != null && !candidate.version().isAfter(state.erasedAt())) {
                continue;
            }
            AttributeVersion current = (attributes == null ? state.attributes() : attributes).get(candidate.key());
            if (current == null || candidate.version().isAfter(current.version())) {
                if (attributes == null) {
                    attributes = new HashMap<>(state.attributes());
                }
                attributes.put(candidate.key(), candidate);
            }
        }
        return attributes == null
                ? state
                : new IdentityState(state.customerId(), attributes, state.erasedAt(), state.link());
    }

    private static IdentityState withLink(IdentityState state, MergeLink link) {
        if (state.link() != null && !link.version().isAfter(state.link().version())) {
            return state;
        }
        return new IdentityState(state.customerId(), state.attributes(), state.erasedAt(), link);
    }

    private static IdentityState erase(IdentityState state, Version erasure) {
        if (!erasure.isAfter(state.erasedAt())) {
            return state;
        }
        Map<String, AttributeVersion> kept = new HashMap<>();
        state.attributes().forEach((key, version) -> {
            if (version.version().isAfter(erasure)) {
                kept.put(key, version);
            }
        });
        return new IdentityState(state.customerId(), kept, erasure, state.link());
    }
}
