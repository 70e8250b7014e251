package dev.asof.reconstruction.profile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.IdentityState;
import dev.asof.events.MergeLink;
import dev.asof.events.ProfileResolver;
import dev.asof.events.Version;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which identities a profile reads, from links and identity_links held in memory. */
class ProfileFamilyTest {

    final Map<String, IdentityState> stored = new HashMap<>();
    final Map<String, List<String>> mergedInto = new HashMap<>();
    final List<String> read = new ArrayList<>();

    @Test
    void followsTheAskedIdentitysLinksThenGathersEveryIdentityMergedIntoTheRoot() {
        link("a", "b", true, 1); // a into b
        link("b", "c", true, 2); // b into c: a chain
        link("d", "c", true, 3); // d into c
        link("e", "d", false, 4); // e was merged into d, then unmerged

        Map<String, IdentityState> states = ProfileFamily.gather("a", this::state, this::from);

        assertThat(read).startsWith("a", "b", "c").containsExactlyInAnyOrder("a", "b", "c", "d", "e");
        assertThat(ProfileResolver.profile("a", states).members()).containsExactly("a", "b", "c", "d");
    }

    @Test
    void stopsAtACycleAndResolvesItLikeTheFold() {
        link("a", "b", true, 1);
        link("b", "a", true, 2); // closes the cycle: the latest link, ignored; b owns it

        Map<String, IdentityState> states = ProfileFamily.gather("a", this::state, this::from);

        assertThat(read).containsExactlyInAnyOrder("a", "b");
        assertThat(ProfileResolver.resolve("a", states)).isEqualTo("b");
        assertThat(ProfileResolver.profile("a", states).members()).containsExactly("a", "b");
    }

    @Test
    void anIdentityWithoutEventsIsReadOnce() {
        Map<String, IdentityState> states = ProfileFamily.gather("ghost", this::state, this::from);

        assertThat(read).containsExactly("ghost");
        assertThat(states.get("ghost").isEmpty()).isTrue();
    }

    private void link(String from, String into, boolean active, int order) {
        stored.put(
                from,
                new IdentityState(
                        from,
                        Map.of(),
                        null,
                        new MergeLink(
                                into, active, new Version(Instant.EPOCH.plusSeconds(order), order, "e" + order, 0))));
        mergedInto.computeIfAbsent(into, i -> new ArrayList<>()).add(from);
    }

    private IdentityState state(String identity) {
        read.add(identity);
        return stored.getOrDefault(identity, IdentityState.empty(identity));
    }

    private List<String> from(String identity) {
        return mergedInto.getOrDefault(identity, List.of());
    }
}
