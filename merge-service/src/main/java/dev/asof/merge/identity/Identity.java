package dev.asof.merge.identity;

import dev.asof.events.EventEnvelope;
import dev.asof.events.IdentityState;
import dev.asof.events.KnownIdentities;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileResolver;
import dev.asof.events.ProfileUnmerged;
import dev.asof.events.RecordedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who a customer was at a valid time: the identity it resolves to through active merge links, the identities
 * merged into that one, and the merges and unmerges involving them up to that time.
 *
 * @param customerId the identity asked about
 * @param resolvedCustomerId the identity it resolves to
 * @param members the resolved identity and every identity resolving to it, in string order
 * @param lineage the merge and unmerge events with {@code merged_from} or {@code merged_into} among {@code members},
 *     valid at or before the time asked about, in valid-time order (then recorded time, then event id); those of an
 *     identity erased after them (at or before the time asked about) are left out: its erasure ended them
 */
public record Identity(
        String customerId, String resolvedCustomerId, List<String> members, List<RecordedEvent> lineage) {

    /** The identity of {@code customerId} at {@code at}, from the events {@link IdentityLog#group} read. */
    public static Identity of(String customerId, Instant at, List<RecordedEvent> group) {
        Map<String, IdentityState> states = KnownIdentities.at(at, group).states();
        String root = ProfileResolver.resolve(customerId, states);
        Set<String> members =
                new TreeSet<>(ProfileResolver.profile(customerId, states).members());
        List<RecordedEvent> lineage = new ArrayList<>();
        for (RecordedEvent recorded : group) {
            EventEnvelope event = recorded.event();
            if (event.timestampUtc().isAfter(at)) {
                continue;
            }
            // the other event types touch attributes or erase, never the links
            boolean involved = event.payload() instanceof ProfileMerged merged
                            && (members.contains(merged.mergedFrom()) || members.contains(merged.mergedInto()))
                    || event.payload() instanceof ProfileUnmerged unmerged
                            && (members.contains(unmerged.mergedFrom()) || members.contains(unmerged.mergedInto()));
            // a merge or unmerge of an identity erased after it was ended by that erasure (IdentityState#linkInForce):
            // the erased group is gone, so a returning member's lineage does not start with it
            IdentityState from = states.get(event.customerId());
            boolean endedByErasure = from != null
                    && from.erasedAt() != null
                    && !recorded.version().isAfter(from.erasedAt());
            if (involved && !endedByErasure) {
                lineage.add(recorded);
            }
        }
        lineage.sort(Comparator.comparing((RecordedEvent e) -> e.event().timestampUtc())
                .thenComparingLong(RecordedEvent::recordedAt)
                .thenComparing(e -> e.event().eventId()));
        return new Identity(customerId, root, List.copyOf(members), List.copyOf(lineage));
    }
}
