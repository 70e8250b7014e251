package dev.asof.reconstruction;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.AttributeVersion;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.EncryptedValues;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.Hlc;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileErased;
import dev.asof.events.ProfileEvent;
import dev.asof.events.ProfileFold;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileResolver;
import dev.asof.events.ProfileUnmerged;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Timestamps;
import dev.asof.events.Version;
import dev.asof.reconstruction.web.JsonValues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The oracle of the history differential test: a customer's timeline across merges straight from its definition,
 * over the whole log (every identity, not only those {@code identity_links} names), with no snapshot, scan, cursor or
 * page. For each event, in the total order of changes, the states of every identity are folded again from scratch
 * over the events ordered before it; the group is the customer and every identity {@link ProfileResolver} resolves
 * to it; an old value is what {@link ProfileResolver#profile} shows of the customer (its own fold while it is merged
 * into another); a merge or unmerge lists itself and every attribute whose profile value it changes.
 */
public final class NaiveHistory {

    private NaiveHistory() {}

    /**
     * One expected change, with its values unredacted as well, for the replay check.
     *
     * @param rendered the change as the API must show it (see {@link #render})
     * @param attribute the attribute, {@code null} for an erasure, merge or unmerge itself
     * @param rawNew the value the profile has after it (unredacted)
     * @param version its place in the total order
     * @param erasure whether it is an erasure
     */
    public record Change(String rendered, String attribute, AttributeValue rawNew, Version version, boolean erasure) {}

    public static List<Change> expect(
            List<RecordedEvent> folded,
            String customerId,
            String attribute,
            Instant from,
            Instant to,
            Instant knownAt) {
        return expect(folded, customerId, attribute, from, to, knownAt, Set.of());
    }

    /**
     * @param gone the events whose values no key opens any more (their identity's key was destroyed; never the
     *     identity asked about, whose read is {@code 410}): their values (removals aside, which are never encrypted)
     *     are hidden wherever they show, as an erasure hides what it erases
     */
    public static List<Change> expect(
            List<RecordedEvent> folded,
            String customerId,
            String attribute,
            Instant from,
            Instant to,
            Instant knownAt,
            Set<String> gone) {
        Hidden hidden = new Hidden(gone);
        long bound = Hlc.upperBound(knownAt);
        List<RecordedEvent> log = folded.stream()
                .filter(e -> e.recordedAt() <= bound)
                .sorted(Comparator.comparing(RecordedEvent::version))
                .toList();
        Set<String> identities = new TreeSet<>();
        identities.add(customerId);
        log.forEach(e -> identities.add(e.event().customerId()));
        Map<String, Version> erasures = new HashMap<>();
        for (String identity : identities) {
            IdentityState whole = IdentityState.empty(identity);
            for (RecordedEvent e : log) {
                if (e.event().customerId().equals(identity)) {
                    whole = ProfileFold.evolve(whole, e);
                }
            }
            if (whole.erasedAt() != null) {
                erasures.put(identity, whole.erasedAt());
            }
        }

        List<Change> changes = new ArrayList<>();
        for (int n = 0; n < log.size(); n++) {
            RecordedEvent recorded = log.get(n);
            EventEnvelope event = recorded.event();
            Map<String, IdentityState> before = foldAll(identities, log.subList(0, n));
            Map<String, IdentityState> after = foldAll(identities, log.subList(0, n + 1));
            Set<String> groupBefore = group(customerId, before);
            Set<String> groupAfter = group(customerId, after);
            String member = event.customerId();
            Version version = recorded.version();
            ProfileEvent payload = event.payload();
            List<Change> made = new ArrayList<>();
            if (payload instanceof AttributeChanged change && groupBefore.contains(member)) {
                Owned old = profileValue(customerId, before, change.attributeKey());
                made.add(value(
                        event,
                        version,
                        change.attributeKey(),
                        old,
                        change.newValue(),
                        change.previousValue(),
                        change.changeReason(),
                        erasures,
                        hidden));
            } else if (payload instanceof BulkProfileUpdate bulk && groupBefore.contains(member)) {
                for (int i = 0; i < bulk.changes().size(); i++) {
                    BulkProfileUpdate.Change change = bulk.changes().get(i);
                    Version at = new Version(version.timestamp(), version.recordedAt(), version.eventId(), i);
                    Owned old = profileValue(customerId, before, change.attributeKey());
                    for (int j = 0; j < i; j++) {
                        BulkProfileUpdate.Change earlier = bulk.changes().get(j);
                        if (earlier.attributeKey().equals(change.attributeKey())) {
                            old = new Owned(
                                    member,
                                    new AttributeVersion(
                                            earlier.attributeKey(),
                                            earlier.newValue(),
                                            new Version(
                                                    version.timestamp(), version.recordedAt(), version.eventId(), j),
                                            null));
                        }
                    }
                    made.add(value(
                            event,
                            at,
                            change.attributeKey(),
                            old,
                            change.newValue(),
                            change.previousValue(),
                            bulk.changeReason(),
                            erasures,
                            hidden));
                }
            } else if (payload instanceof ProfileErased erased && groupBefore.contains(member)) {
                made.add(new Change(
                        render(event, version, null, null, null, null, erased.reason(), null, null, false),
                        null,
                        null,
                        version,
                        true));
            } else if (payload instanceof ProfileMerged || payload instanceof ProfileUnmerged) {
                String mergedFrom =
                        payload instanceof ProfileMerged m ? m.mergedFrom() : ((ProfileUnmerged) payload).mergedFrom();
                String mergedInto =
                        payload instanceof ProfileMerged m ? m.mergedInto() : ((ProfileUnmerged) payload).mergedInto();
                String reason = payload instanceof ProfileMerged m ? m.reason() : ((ProfileUnmerged) payload).reason();
                if (groupBefore.contains(mergedFrom)
                        || groupBefore.contains(mergedInto)
                        || groupAfter.contains(mergedFrom)
                        || groupAfter.contains(mergedInto)) {
                    made.add(new Change(
                            render(event, version, null, null, null, null, reason, mergedFrom, mergedInto, false),
                            null,
                            null,
                            version,
                            false));
                }
                Set<String> keys = new TreeSet<>();
                before.values().forEach(s -> keys.addAll(s.attributes().keySet()));
                after.values().forEach(s -> keys.addAll(s.attributes().keySet()));
                int position = 1;
                for (String key : keys) {
                    Owned old = profileValue(customerId, before, key);
                    Owned now = profileValue(customerId, after, key);
                    // compared as the service reads them: a gone value differs from every readable one (even an equal
                    // one: saying so would tell what the gone value was), and gone values of one owner read the same
                    if (hidden.readAs(old).equals(hidden.readAs(now))) {
                        continue;
                    }
                    Version at = new Version(version.timestamp(), version.recordedAt(), version.eventId(), position++);
                    boolean oldHidden = hidden(old, erasures) || hidden.gone(old);
                    boolean newHidden = hidden(now, erasures) || hidden.gone(now);
                    made.add(new Change(
                            render(
                                    event,
                                    at,
                                    key,
                                    oldHidden ? null : valueOf(old),
                                    newHidden ? null : valueOf(now),
                                    null,
                                    reason,
                                    mergedFrom,
                                    mergedInto,
                                    oldHidden || newHidden),
                            key,
                            valueOf(now),
                            at,
                            false));
                }
            }
            for (Change change : made) {
                Instant at = change.version().timestamp();
                boolean inRange = (from == null || !at.isBefore(from)) && (to == null || !at.isAfter(to));
                boolean wanted = attribute == null || attribute.equals(change.attribute()) || change.erasure();
                if (inRange && wanted) {
                    changes.add(change);
                }
            }
        }
        return changes;
    }

    /**
     * The customer's profile value of {@code key}: the profile's when it resolves to itself, else its own state's
     * (nothing else resolves to it then); removals and absence are {@code null}-valued owners.
     */
    private static Owned profileValue(String customerId, Map<String, IdentityState> states, String key) {
        if (ProfileResolver.resolve(customerId, states).equals(customerId)) {
            AttributeVersion shown =
                    ProfileResolver.profile(customerId, states).attributes().get(key);
            // the profile drops removals; the latest version of the key among the members then is a removal
            AttributeVersion latest = null;
            String owner = null;
            for (String member : ProfileResolver.profile(customerId, states).members()) {
                AttributeVersion version = states.get(member).attributes().get(key);
                if (version != null && (latest == null || version.version().isAfter(latest.version()))) {
                    latest = version;
                    owner = member;
                }
            }
            if (shown != null && !shown.equals(latest)) {
                throw new IllegalStateException("oracle: the profile's " + key + " is not its members' latest");
            }
            return latest == null ? null : new Owned(owner, latest);
        }
        AttributeVersion own = states.get(customerId).attributes().get(key);
        return own == null ? null : new Owned(customerId, own);
    }

    private static Change value(
            EventEnvelope event,
            Version version,
            String key,
            Owned old,
            AttributeValue value,
            AttributeValue claimed,
            String reason,
            Map<String, Version> erasures,
            Hidden hidden) {
        Version erasure = erasures.get(event.customerId());
        boolean changeHidden = (erasure != null && !version.isAfter(erasure)) || hidden.gone(event.eventId(), value);
        boolean oldHidden = hidden(old, erasures) || hidden.gone(old);
        boolean claimedGone = hidden.gone(event.eventId(), claimed);
        String rendered = render(
                event,
                version,
                key,
                changeHidden || oldHidden ? null : valueOf(old),
                changeHidden ? null : value,
                changeHidden || claimedGone ? null : claimed,
                reason,
                null,
                null,
                changeHidden || oldHidden || claimedGone);
        return new Change(rendered, key, value, version, false);
    }

    /** Values whose key was destroyed, by the event that set them. */
    private record Hidden(Set<String> goneEvents) {

        boolean gone(String eventId, AttributeValue value) {
            return value != null && !(value instanceof AttributeValue.Null) && goneEvents.contains(eventId);
        }

        boolean gone(Owned value) {
            return value != null
                    && gone(value.version().version().eventId(), value.version().value());
        }

        /** The value as the service reads it: a gone value is its owner's erased marker. */
        AttributeValue readAs(Owned value) {
            return gone(value) ? AttributeValue.text(EncryptedValues.erased(value.owner())) : valueOf(value);
        }
    }

    private static boolean hidden(Owned value, Map<String, Version> erasures) {
        if (value == null) {
            return false;
        }
        Version erasure = erasures.get(value.owner());
        return erasure != null && !value.version().version().isAfter(erasure);
    }

    private static AttributeValue valueOf(Owned value) {
        return value == null ? AttributeValue.NULL : value.version().value();
    }

    private static Set<String> group(String customerId, Map<String, IdentityState> states) {
        Set<String> group = new TreeSet<>();
        group.add(customerId);
        for (String identity : states.keySet()) {
            if (ProfileResolver.resolve(identity, states).equals(customerId)) {
                group.add(identity);
            }
        }
        return group;
    }

    private static Map<String, IdentityState> foldAll(Set<String> identities, List<RecordedEvent> events) {
        Map<String, IdentityState> states = new TreeMap<>();
        identities.forEach(identity -> states.put(identity, IdentityState.empty(identity)));
        for (RecordedEvent event : events) {
            String identity = event.event().customerId();
            states.put(identity, ProfileFold.evolve(states.get(identity), event));
        }
        return states;
    }

    /** One change as the test compares it with the API's: every field the API shows that the oracle decides. */
    public static String render(
            EventEnvelope event,
            Version version,
            String attribute,
            AttributeValue old,
            AttributeValue value,
            AttributeValue claimed,
            String reason,
            String mergedFrom,
            String mergedInto,
            boolean redacted) {
        return String.join(
                " ",
                event.eventId(),
                event.eventType().wireName(),
                "member=" + event.customerId(),
                "attr=" + attribute,
                "old=" + json(old),
                "new=" + json(value),
                "claimed=" + json(claimed),
                "at=" + Timestamps.format(version.timestamp()),
                "recorded=" + Timestamps.format(Hlc.toInstant(version.recordedAt())),
                "reason=" + reason,
                "from=" + mergedFrom,
                "into=" + mergedInto,
                "redacted=" + redacted);
    }

    /** A value as the API writes it; {@code null} for none. */
    static String json(AttributeValue value) {
        return value == null ? "null" : EventJson.mapper().writeValueAsString(JsonValues.plain(value));
    }

    private record Owned(String owner, AttributeVersion version) {}
}
