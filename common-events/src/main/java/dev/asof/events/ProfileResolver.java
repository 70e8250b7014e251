package dev.asof.events;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Resolves identities through merges and combines the histories of merged identities into one profile. Pure:
 * the caller passes the states of every identity that may take part, each already folded for the same valid
 * and system time.
 */
public final class ProfileResolver {

    private ProfileResolver() {}

    /**
     * The identity {@code customerId} resolves to: follow active merge links; of the links that close a cycle
     * the latest is ignored, so the answer is the same whichever identity of the cycle one starts from.
     */
    public static String resolve(String customerId, Map<String, IdentityState> states) {
        List<String> path = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        String current = customerId;
        while (true) {
            seen.put(current, path.size());
            path.add(current);
            MergeLink link = linkOf(current, states);
            if (link == null || !link.active()) {
                return current;
            }
            Integer cycleStart = seen.get(link.mergedInto());
            if (cycleStart != null) {
                return latestLinkOwner(path.subList(cycleStart, path.size()), states);
            }
            current = link.mergedInto();
        }
    }

    /** The profile of {@code customerId}: the join of the states of every identity resolving to the same root. */
    public static Profile profile(String customerId, Map<String, IdentityState> states) {
        String root = resolve(customerId, states);
        TreeSet<String> members = new TreeSet<>();
        members.add(root);
        for (String identity : states.keySet()) {
            if (!members.contains(identity) && resolve(identity, states).equals(root)) {
                members.add(identity);
            }
        }
        Map<String, AttributeVersion> attributes = new HashMap<>();
        for (String member : members) {
            IdentityState state = states.get(member);
            if (state == null) {
                continue;
            }
            state.attributes().forEach((key, version) -> {
                AttributeVersion current = attributes.get(key);
                if (current == null || version.version().isAfter(current.version())) {
                    attributes.put(key, version);
                }
            });
        }
        attributes.values().removeIf(version -> !version.isPresent());
        return new Profile(customerId, root, attributes, new ArrayList<>(members));
    }

    private static MergeLink linkOf(String identity, Map<String, IdentityState> states) {
        IdentityState state = states.get(identity);
        return state == null ? null : state.linkInForce();
    }

    private static String latestLinkOwner(List<String> cycle, Map<String, IdentityState> states) {
        String owner = cycle.get(0);
        for (String identity : cycle) {
            if (linkOf(identity, states).version().isAfter(linkOf(owner, states).version())) {
                owner = identity;
            }
        }
        return owner;
    }
}
