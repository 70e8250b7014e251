package dev.asof.events;

import static dev.asof.events.EventType.CUSTOMER_PROFILE_MERGE;
import static dev.asof.events.EventType.CUSTOMER_PROFILE_UNMERGE;
import static dev.asof.events.ProfileSpecification.event;
import static dev.asof.events.ProfileSpecification.given;
import static dev.asof.events.RefusalKind.ALREADY_MERGED;
import static dev.asof.events.RefusalKind.MERGE_CYCLE;
import static dev.asof.events.RefusalKind.NOT_MERGED;
import static dev.asof.events.RefusalKind.PROFILE_NOT_FOUND;
import static dev.asof.events.RefusalKind.SELF_MERGE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The merge and unmerge rules of {@link ProfileDecider}, one story each. */
class ProfileDecisionsTest {

    private static final String ANA = "cust_88291023";
    private static final String BEA = "cust_99382910";
    private static final String CLEO = "cust_11111111";
    private static final String GHOST = "cust_00000000";

    private static ProfileSpecification anaBeaAndCleo() {
        return given(
                event("a1").of(ANA).at("14:00:00").sets("email", "ana@example.com"),
                event("b1").of(BEA).at("14:00:00").sets("phone", "+34600000000"),
                event("c1").of(CLEO).at("14:00:00").sets("tier", "gold"));
    }

    @Nested
    class Merge {

        @Test
        void aMergeTravelsInTheStreamOfTheMergedIdentityAndJoinsTheProfiles() {
            anaBeaAndCleo()
                    .whenMerging(ANA, BEA, "14:30:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE)
                    .whenProfileOf(ANA)
                    .at("14:30:00")
                    .then()
                    .resolvesTo(BEA)
                    .hasMembers(ANA, BEA)
                    .has("email", "ana@example.com")
                    .has("phone", "+34600000000");
        }

        @Test
        void beforeItsEffectiveTimeTheMergeIsNotThere() {
            anaBeaAndCleo()
                    .whenMerging(ANA, BEA, "14:30:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE)
                    .whenProfileOf(ANA)
                    .at("14:29:59.999")
                    .then()
                    .resolvesTo(ANA)
                    .lacks("phone");
        }

        @Test
        void anIdentityCannotBeMergedIntoItself() {
            anaBeaAndCleo().whenMerging(ANA, ANA, "14:30:00").thenRefusedAs(SELF_MERGE);
        }

        @Test
        void selfMergeIsRefusedEvenForAnUnknownIdentity() {
            anaBeaAndCleo().whenMerging(GHOST, GHOST, "14:30:00").thenRefusedAs(SELF_MERGE);
        }

        @Test
        void theMergedIdentityMustHaveEvents() {
            anaBeaAndCleo().whenMerging(GHOST, BEA, "14:30:00").thenRefusedAs(PROFILE_NOT_FOUND);
        }

        @Test
        void theSurvivingIdentityMustHaveEvents() {
            anaBeaAndCleo().whenMerging(ANA, GHOST, "14:30:00").thenRefusedAs(PROFILE_NOT_FOUND);
        }

        @Test
        void anIdentityWhoseOnlyEventsComeLaterStillExists() {
            given(
                            event("a1").of(ANA).at("14:00:00").sets("email", "ana@example.com"),
                            event("b1").of(BEA).at("15:00:00").sets("phone", "+34600000000"))
                    .whenMerging(ANA, BEA, "14:30:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE);
        }

        @Test
        void anIdentityMergedIntoSomeoneElseIsRefused() {
            anaBeaAndCleo()
                    .and(event("m1").of(ANA).at("14:10:00").mergedInto(CLEO))
                    .whenMerging(ANA, BEA, "14:30:00")
                    .thenRefusedAs(ALREADY_MERGED);
        }

        @Test
        void mergingTwiceIntoTheSameIdentityIsRefusedToo() {
            anaBeaAndCleo()
                    .whenMerging(ANA, BEA, "14:30:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE)
                    .whenMerging(ANA, BEA, "14:31:00")
                    .thenRefusedAs(ALREADY_MERGED);
        }

        @Test
        void aMergeThatTakesEffectOnlyLaterDoesNotCount() {
            anaBeaAndCleo()
                    .and(event("m1").of(ANA).at("14:40:00").mergedInto(CLEO))
                    .whenMerging(ANA, BEA, "14:30:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE)
                    .whenProfileOf(ANA)
                    .at("14:35:00")
                    .then()
                    .resolvesTo(BEA);
        }

        @Test
        void anIdentityUnmergedAgainMayBeMergedElsewhere() {
            anaBeaAndCleo()
                    .and(
                            event("m1").of(ANA).at("14:10:00").mergedInto(CLEO),
                            event("u1").of(ANA).at("14:20:00").unmergedFrom(CLEO))
                    .whenMerging(ANA, BEA, "14:30:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE);
        }

        @Test
        void mergingIntoAnIdentityThatIsMergedIntoTheFirstWouldCloseACycle() {
            anaBeaAndCleo()
                    .and(event("m1").of(BEA).at("14:10:00").mergedInto(ANA))
                    .whenMerging(ANA, BEA, "14:30:00")
                    .thenRefusedAs(MERGE_CYCLE);
        }

        @Test
        void aCycleThroughAChainIsRefused() {
            anaBeaAndCleo()
                    .whenMerging(CLEO, ANA, "14:10:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE)
                    .whenMerging(BEA, CLEO, "14:20:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE)
                    .whenMerging(ANA, BEA, "14:30:00")
                    .thenRefusedAs(MERGE_CYCLE);
        }

        @Test
        void mergingIntoAChainResolvesToItsRoot() {
            anaBeaAndCleo()
                    .whenMerging(BEA, CLEO, "14:10:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE)
                    .whenMerging(ANA, BEA, "14:30:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE)
                    .whenProfileOf(ANA)
                    .at("14:30:00")
                    .then()
                    .resolvesTo(CLEO)
                    .hasMembers(ANA, BEA, CLEO)
                    .has("tier", "gold");
        }

        @Test
        void aChainUnmergedBeforeTheEffectiveTimeIsNoCycle() {
            anaBeaAndCleo()
                    .and(
                            event("m1").of(BEA).at("14:10:00").mergedInto(ANA),
                            event("u1").of(BEA).at("14:20:00").unmergedFrom(ANA))
                    .whenMerging(ANA, BEA, "14:30:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE);
        }

        @Test
        void aCycleIsJudgedAtTheEffectiveTime() {
            // B is merged into A only from 14:40; a merge of A into B effective at 14:30 is decided on 14:30's links
            anaBeaAndCleo()
                    .and(event("m1").of(BEA).at("14:40:00").mergedInto(ANA))
                    .whenMerging(ANA, BEA, "14:30:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE)
                    .whenProfileOf(ANA)
                    .at("14:35:00")
                    .then()
                    .resolvesTo(BEA);
        }
    }

    @Nested
    class Unmerge {

        @Test
        void anUnmergeLetsTheIdentityStandAloneAgain() {
            anaBeaAndCleo()
                    .whenMerging(ANA, BEA, "14:10:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE)
                    .whenUnmerging(ANA, BEA, "14:30:00")
                    .thenAccepted(CUSTOMER_PROFILE_UNMERGE)
                    .whenProfileOf(BEA)
                    .at("14:30:00")
                    .then()
                    .resolvesTo(BEA)
                    .hasMembers(BEA)
                    .lacks("email");
        }

        @Test
        void betweenMergeAndUnmergeTheProfilesAreOne() {
            anaBeaAndCleo()
                    .whenMerging(ANA, BEA, "14:10:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE)
                    .whenUnmerging(ANA, BEA, "14:30:00")
                    .thenAccepted(CUSTOMER_PROFILE_UNMERGE)
                    .whenProfileOf(BEA)
                    .at("14:20:00")
                    .then()
                    .hasMembers(ANA, BEA)
                    .has("email", "ana@example.com");
        }

        @Test
        void anIdentityNeverMergedCannotBeUnmerged() {
            anaBeaAndCleo().whenUnmerging(ANA, BEA, "14:30:00").thenRefusedAs(NOT_MERGED);
        }

        @Test
        void anIdentityMergedIntoSomeoneElseIsNotMergedIntoThisOne() {
            anaBeaAndCleo()
                    .and(event("m1").of(ANA).at("14:10:00").mergedInto(CLEO))
                    .whenUnmerging(ANA, BEA, "14:30:00")
                    .thenRefusedAs(NOT_MERGED);
        }

        @Test
        void theReverseDirectionIsNotMerged() {
            anaBeaAndCleo()
                    .and(event("m1").of(ANA).at("14:10:00").mergedInto(BEA))
                    .whenUnmerging(BEA, ANA, "14:30:00")
                    .thenRefusedAs(NOT_MERGED);
        }

        @Test
        void anUnmergeCannotBeRepeated() {
            anaBeaAndCleo()
                    .whenMerging(ANA, BEA, "14:10:00")
                    .thenAccepted(CUSTOMER_PROFILE_MERGE)
                    .whenUnmerging(ANA, BEA, "14:20:00")
                    .thenAccepted(CUSTOMER_PROFILE_UNMERGE)
                    .whenUnmerging(ANA, BEA, "14:30:00")
                    .thenRefusedAs(NOT_MERGED);
        }

        @Test
        void anUnmergeBeforeTheMergeTookEffectIsRefused() {
            anaBeaAndCleo()
                    .and(event("m1").of(ANA).at("14:40:00").mergedInto(BEA))
                    .whenUnmerging(ANA, BEA, "14:30:00")
                    .thenRefusedAs(NOT_MERGED);
        }

        @Test
        void anIdentityCannotBeUnmergedFromItself() {
            anaBeaAndCleo().whenUnmerging(ANA, ANA, "14:30:00").thenRefusedAs(SELF_MERGE);
        }

        @Test
        void bothIdentitiesMustHaveEvents() {
            anaBeaAndCleo().whenUnmerging(GHOST, BEA, "14:30:00").thenRefusedAs(PROFILE_NOT_FOUND);
            anaBeaAndCleo().whenUnmerging(ANA, GHOST, "14:30:00").thenRefusedAs(PROFILE_NOT_FOUND);
        }
    }

    @Test
    void theRefusalKindsHaveStableNamesAndStatuses() {
        assertThat(Arrays.stream(RefusalKind.values()).map(k -> k.wireName() + " " + k.status()))
                .containsExactly(
                        "profile-not-found 404",
                        "self-merge 422",
                        "already-merged 409",
                        "merge-cycle 409",
                        "not-merged 409");
    }

    @Test
    void theDecidedEventIsTheCommandsEventAtItsEffectiveTime() {
        Decision decision = ProfileDecider.decide(
                new MergeProfiles(
                        "evt-merge-1",
                        BEA,
                        ANA,
                        ProfileSpecification.time("14:30:00.123"),
                        "same person",
                        "agent_7",
                        "{\"email\":\"exact\"}"),
                KnownIdentities.at(
                        ProfileSpecification.time("14:30:00.123"),
                        anaBeaAndCleo().events()));
        assertThat(decision)
                .isEqualTo(new Decision.Accepted(java.util.List.of(new EventEnvelope(
                        "evt-merge-1",
                        ProfileSpecification.time("14:30:00.123"),
                        ANA,
                        null,
                        EventMetadata.EMPTY,
                        new ProfileMerged(BEA, ANA, "same person", "agent_7", "{\"email\":\"exact\"}"),
                        EventEnvelope.SCHEMA_VERSION))));
    }
}
