package dev.asof.reconstruction.history;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.AttributeVersion;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.EventEnvelope;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileErased;
import dev.asof.events.ProfileEvent;
import dev.asof.events.ProfileFold;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileResolver;
import dev.asof.events.ProfileUnmerged;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The pure walk behind a timeline: the events of an identity and of every identity that may ever resolve to it, fed
 * in the total order of changes, each turned into the changes it makes to the identity's profile.
 *
 * <p>At each position the <em>group</em> is the identity itself and every identity that resolves to it (by {@link
 * ProfileResolver#resolve}) in the fold of the events before that position. An event's changes are listed when its
 * identity is in the group; the old value of a change is the latest version of the attribute among the group's
 * states, which is exactly what {@link ProfileResolver#profile} combines. While the identity is itself merged into
 * another, nothing resolves to it and the group is the identity alone.
 *
 * <p>A merge or an unmerge that changes the group changes the profile without changing an attribute: for each
 * attribute whose value differs between the group before and the group after, the event gets one more change (its
 * event type, the attribute, the value before and the value after), at positions 1, 2, ... of the event, in
 * attribute order; position 0 is the merge or unmerge itself. So, attribute by attribute, each change's old value is
 * the previous change's new value, up to erasures (which are listed but do not list what they hide, nor what ending
 * the erased identity's merge changes).
 */
final class GroupTimeline {

    private final String customerId;
    private final Map<String, IdentityState> states;
    private final Map<String, Version> erasures;
    private final String attribute;
    private final Predicate<AttributeValue> gone;
    private Set<String> group;

    /**
     * @param customerId the identity whose timeline this is
     * @param before the state of every identity that may take part (the identity included), folded over every
     *     event ordered before the first one fed
     * @param erasures the latest erasure (as known at the timeline's K) of each identity that has one
     * @param attribute only changes of this attribute (erasures and the attribute changes of merges are always
     *     listed); {@code null} for all
     * @param gone whether a value (as fed) is one whose key was destroyed: hidden wherever it shows
     */
    GroupTimeline(
            String customerId,
            Map<String, IdentityState> before,
            Map<String, Version> erasures,
            String attribute,
            Predicate<AttributeValue> gone) {
        this.gone = gone;
        this.customerId = customerId;
        this.states = new HashMap<>(before);
        this.states.putIfAbsent(customerId, IdentityState.empty(customerId));
        this.erasures = Map.copyOf(erasures);
        this.attribute = attribute;
        this.group = groupOf(states);
    }

    /** The identity and every identity resolving to it in {@code states}. */
    private Set<String> groupOf(Map<String, IdentityState> states) {
        Set<String> members = new TreeSet<>();
        members.add(customerId);
        for (String identity : states.keySet()) {
            if (ProfileResolver.resolve(identity, states).equals(customerId)) {
                members.add(identity);
            }
        }
        return members;
    }

    /**
     * The changes {@code recorded} makes, then folds it in. Events must come in the total order of changes, and only
     * of identities given to the constructor.
     */
    List<HistoryChange> apply(RecordedEvent recorded) {
        EventEnvelope event = recorded.event();
        String member = event.customerId();
        IdentityState own = states.get(member);
        if (own == null) {
            throw new IllegalArgumentException(member + " is not part of the timeline of " + customerId);
        }
        List<HistoryChange> changes = new ArrayList<>();
        ProfileEvent payload = event.payload();
        IdentityState after = ProfileFold.evolve(own, recorded);
        if (payload instanceof AttributeChanged change) {
            if (group.contains(member) && wanted(change.attributeKey())) {
                changes.add(valueChange(
                        event,
                        recorded.version(),
                        change.attributeKey(),
                        groupValue(group, change.attributeKey()),
                        change.newValue(),
                        change.previousValue(),
                        change.changeReason()));
            }
        } else if (payload instanceof BulkProfileUpdate bulk) {
            if (group.contains(member)) {
                // entries apply in order, so a key repeated in one update replaces its own earlier entry
                Map<String, Owned> applied = new HashMap<>();
                for (int i = 0; i < bulk.changes().size(); i++) {
                    BulkProfileUpdate.Change change = bulk.changes().get(i);
                    String key = change.attributeKey();
                    Version at = at(recorded.version(), i);
                    Owned old = applied.containsKey(key) ? applied.get(key) : groupValue(group, key);
                    applied.put(key, new Owned(member, new AttributeVersion(key, change.newValue(), at, null)));
                    if (wanted(key)) {
                        changes.add(valueChange(
                                event, at, key, old, change.newValue(), change.previousValue(), bulk.changeReason()));
                    }
                }
            }
        } else if (payload instanceof ProfileErased erased) {
            if (group.contains(member)) {
                changes.add(new HistoryChange(
                        event, recorded.version(), null, null, null, null, erased.reason(), null, null, false));
            }
        } else if (payload instanceof ProfileMerged merged) {
            changes.addAll(linkChanges(
                    event, recorded.version(), after, merged.mergedFrom(), merged.mergedInto(), merged.reason()));
        } else if (payload instanceof ProfileUnmerged unmerged) {
            changes.addAll(linkChanges(
                    event, recorded.version(), after, unmerged.mergedFrom(), unmerged.mergedInto(), unmerged.reason()));
        } else {
            throw new IllegalStateException("no timeline rule for " + payload.type());
        }
        states.put(member, after);
        if (payload instanceof ProfileErased) {
            // an erasure ends the erased identity's merge (IdentityState#linkInForce), so the group may change; like
            // every erasure it lists itself only, not what it hides
            group = groupOf(states);
        }
        return changes;
    }

    /** A merge or unmerge: itself (position 0) when it involves a member, and what it changes in the profile. */
    private List<HistoryChange> linkChanges(
            EventEnvelope event, Version version, IdentityState after, String from, String into, String reason) {
        Map<String, IdentityState> next = new HashMap<>(states);
        next.put(event.customerId(), after);
        Set<String> groupAfter = groupOf(next);
        List<HistoryChange> changes = new ArrayList<>();
        boolean involved =
                group.contains(from) || group.contains(into) || groupAfter.contains(from) || groupAfter.contains(into);
        if (involved && attribute == null) {
            changes.add(new HistoryChange(event, version, null, null, null, null, reason, from, into, false));
        }
        if (!groupAfter.equals(group)) {
            Set<String> keys = new TreeSet<>();
            for (String identity : group) {
                keys.addAll(states.get(identity).attributes().keySet());
            }
            for (String identity : groupAfter) {
                keys.addAll(next.get(identity).attributes().keySet());
            }
            int position = 1;
            for (String key : keys) {
                Owned old = groupValue(group, key);
                Owned now = groupValue(groupAfter, key, next);
                if (valueOf(old).equals(valueOf(now))) {
                    continue;
                }
                Version at = at(version, position++);
                if (wanted(key)) {
                    boolean oldHidden = hidden(old);
                    boolean newHidden = hidden(now);
                    changes.add(new HistoryChange(
                            event,
                            at,
                            key,
                            oldHidden ? null : valueOf(old),
                            newHidden ? null : valueOf(now),
                            null,
                            reason,
                            from,
                            into,
                            oldHidden || newHidden));
                }
            }
        }
        group = groupAfter;
        return changes;
    }

    private boolean wanted(String key) {
        return attribute == null || attribute.equals(key);
    }

    private HistoryChange valueChange(
            EventEnvelope event,
            Version version,
            String key,
            Owned old,
            AttributeValue value,
            AttributeValue claimed,
            String reason) {
        Version erasure = erasures.get(event.customerId());
        if ((erasure != null && !version.isAfter(erasure)) || gone(value)) {
            return new HistoryChange(event, version, key, null, null, null, reason, null, null, true);
        }
        AttributeValue claimedShown = gone(claimed) ? null : claimed;
        // the value replaced may be another member's, erased by an erasure of that member after this change
        if (hidden(old)) {
            return new HistoryChange(event, version, key, null, value, claimedShown, reason, null, null, true);
        }
        return new HistoryChange(
                event, version, key, valueOf(old), value, claimedShown, reason, null, null, gone(claimed));
    }

    /**
     * Whether a value is hidden: set before the latest erasure of the identity that set it, or gone (its key
     * destroyed: an erasure the fold may not know of, e.g. of an identity erased alone after an unmerge).
     */
    private boolean hidden(Owned value) {
        if (value == null) {
            return false;
        }
        Version erasure = erasures.get(value.owner());
        return (erasure != null && !value.version().version().isAfter(erasure))
                || gone(value.version().value());
    }

    /** A value whose key was destroyed: what {@link ProfileHistory} reads a value of another, erased identity as. */
    private boolean gone(AttributeValue value) {
        return value != null && gone.test(value);
    }

    private Owned groupValue(Set<String> members, String key) {
        return groupValue(members, key, states);
    }

    /** The latest version of {@code key} among the states of {@code members}, removals included; null if none. */
    private static Owned groupValue(Set<String> members, String key, Map<String, IdentityState> states) {
        Owned latest = null;
        for (String member : members) {
            IdentityState state = states.get(member);
            AttributeVersion version = state == null ? null : state.attributes().get(key);
            if (version != null
                    && (latest == null
                            || version.version().isAfter(latest.version().version()))) {
                latest = new Owned(member, version);
            }
        }
        return latest;
    }

    private static AttributeValue valueOf(Owned value) {
        return value == null ? AttributeValue.NULL : value.version().value();
    }

    /** An attribute version and the identity whose event set it. */
    private record Owned(String owner, AttributeVersion version) {}

    /** Position {@code index} of an event at {@code version}. */
    private static Version at(Version version, int index) {
        return new Version(version.timestamp(), version.recordedAt(), version.eventId(), index);
    }
}
