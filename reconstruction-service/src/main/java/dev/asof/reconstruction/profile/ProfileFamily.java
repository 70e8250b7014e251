package dev.asof.reconstruction.profile;

import dev.asof.events.IdentityState;
import dev.asof.events.MergeLink;
import dev.asof.events.ProfileResolver;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The identities that may take part in a profile, each with its state at one (T, K): everything {@link
 * ProfileResolver#profile} needs. First the asked identity's own merge links are followed (each target read as
 * needed) until one is inactive or closes a cycle; that fixes the root. Then every identity ever merged into the
 * root is gathered from {@code identity_links}, transitively. Whether a link counts at (T, K) is decided by the
 * states, never by the links table, so unmerges, chains and cycles resolve exactly as in the fold.
 */
final class ProfileFamily {

    private ProfileFamily() {}

    /**
     * @param stateOf reads one identity's state (an empty state when it has no events)
     * @param mergedInto the identities ever merged directly into one
     */
    static Map<String, IdentityState> gather(
            String customerId, Function<String, IdentityState> stateOf, Function<String, List<String>> mergedInto) {
        Map<String, IdentityState> states = new LinkedHashMap<>();
        String current = customerId;
        states.put(current, stateOf.apply(current));
        while (true) {
            MergeLink link = states.get(current).linkInForce();
            if (link == null || !link.active() || states.containsKey(link.mergedInto())) {
                break;
            }
            current = link.mergedInto();
            states.put(current, stateOf.apply(current));
        }
        String root = ProfileResolver.resolve(customerId, states);
        Deque<String> queue = new ArrayDeque<>(List.of(root));
        Set<String> walked = new HashSet<>();
        while (!queue.isEmpty()) {
            String into = queue.poll();
            if (!walked.add(into)) {
                continue;
            }
            for (String from : mergedInto.apply(into)) {
                if (!states.containsKey(from)) {
                    states.put(from, stateOf.apply(from));
                }
                if (!walked.contains(from)) {
                    queue.add(from);
                }
            }
        }
        return states;
    }
}
