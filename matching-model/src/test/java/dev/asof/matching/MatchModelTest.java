package dev.asof.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDate;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MatchModelTest {

    private static final String SWITCHBOARD = "+16502530000";

    private final MatchSettings settings = MatchSettings.defaults();
    private final MatchModel model = new MatchModel(settings);

    private static MatchRecord person(
            String id, String phone, String email, String first, String last, String postcode, LocalDate born) {
        return new MatchRecord(
                id,
                phone == null ? Set.of() : Set.of(phone),
                email == null ? Set.of() : Set.of(email),
                first,
                last,
                postcode,
                born);
    }

    private static KeyFrequencies switchboardSharedBy(int profiles) {
        return key -> key.equals(BlockingKeys.phone(SWITCHBOARD)) ? profiles : 1;
    }

    @Test
    void twoDifferentPeopleSharingOnlyASwitchboardAreNone() {
        MatchRecord maria =
                person("c-1", SWITCHBOARD, "maria@acme.example", "Maria", "Lopez", "28013", LocalDate.of(1985, 3, 14));
        MatchRecord john =
                person("c-2", SWITCHBOARD, "john@acme.example", "John", "Smith", "28013", LocalDate.of(1970, 1, 2));
        Candidate candidate = model.score(maria, john, switchboardSharedBy(40));
        assertThat(candidate.decision()).isEqualTo(MatchDecision.NONE);
        assertThat(candidate.evidence().get(0)).satisfies(phone -> {
            assertThat(phone.attribute()).isEqualTo("phone");
            assertThat(phone.level()).isEqualTo("generic");
        });
    }

    @Test
    void aGenericPhoneAloneIsNeverEnoughNorIsAGenericPhoneAndEmail() {
        MatchRecord a = person("c-1", SWITCHBOARD, "info@acme.example", null, null, null, null);
        MatchRecord b = person("c-2", SWITCHBOARD, "info@acme.example", null, null, null, null);
        Candidate candidate = model.score(a, b, key -> 6);
        assertThat(candidate.decision()).isEqualTo(MatchDecision.NONE);
        assertThat(candidate.evidence())
                .extracting(Evidence::level)
                .containsExactly("generic", "generic", "missing", "missing", "missing", "missing");
        // the same two values held by few profiles are strong evidence
        assertThat(model.score(a, b, key -> 2).decision()).isNotEqualTo(MatchDecision.NONE);
    }

    @Test
    void settingsWhereGenericValuesAloneReachReviewAreRefused() {
        Map<MatchField, Map<String, MatchLevel>> levels = new EnumMap<>(settings.levels());
        Map<String, MatchLevel> phone = new HashMap<>(levels.get(MatchField.PHONE));
        phone.put("generic", new MatchLevel(0.9, 0.0001));
        levels.put(MatchField.PHONE, phone);
        assertThatThrownBy(() -> new MatchSettings(
                        "US",
                        settings.autoMergeThreshold(),
                        settings.reviewThreshold(),
                        settings.genericValueProfiles(),
                        settings.commonNameProfiles(),
                        Set.of(),
                        settings.prior(),
                        levels))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("generic");
    }

    @Test
    void aHouseholdMemberIsNotTheSamePerson() {
        MatchRecord mother =
                person("c-1", "+34911222333", "ana@example.com", "Ana", "Garcia", "28013", LocalDate.of(1960, 5, 1));
        MatchRecord son = person("c-2", "+34911222333", null, "Pablo", "Garcia", "28013", LocalDate.of(1992, 8, 20));
        MatchRecord sonWithoutBirthday = person("c-3", "+34911222333", null, "Pablo", "Garcia", "28013", null);
        assertThat(model.score(mother, son, KeyFrequencies.none()).decision()).isEqualTo(MatchDecision.NONE);
        assertThat(model.score(mother, sonWithoutBirthday, KeyFrequencies.none())
                        .decision())
                .isEqualTo(MatchDecision.NONE);
    }

    @Test
    void theSamePersonAcrossChannelsIsAnAutoMerge() {
        MatchRecord call = person("c-1", "+34600111222", null, "Bill", "O'Brien", "28013", LocalDate.of(1985, 3, 14));
        MatchRecord chat =
                person("c-2", null, "bill@example.com", "William", "OBrien", null, LocalDate.of(1985, 3, 14));
        Candidate candidate = model.score(call, chat, KeyFrequencies.none());
        assertThat(candidate.decision()).isEqualTo(MatchDecision.AUTO_MERGE);
        assertThat(candidate.customerId()).isEqualTo("c-2");
        assertThat(candidate.evidence())
                .extracting(Evidence::level)
                .containsExactly("missing", "missing", "nickname", "exact", "missing", "exact");
    }

    @Test
    void namesAndAPostcodeAloneAreReviewNeverAutoMerge() {
        MatchRecord a = person("c-1", null, null, "Maria", "Lopez", "28013", null);
        MatchRecord b = person("c-2", null, null, "Maria", "Lopez", "28013", null);
        Candidate candidate = model.score(a, b, KeyFrequencies.none());
        assertThat(candidate.score()).isGreaterThanOrEqualTo(settings.autoMergeThreshold());
        assertThat(candidate.decision()).isEqualTo(MatchDecision.REVIEW);
        // with the date of birth in common it is an identified match
        MatchRecord c = person("c-3", null, null, "Maria", "Lopez", "28013", LocalDate.of(1985, 3, 14));
        MatchRecord d = person("c-4", null, null, "María", "López", null, LocalDate.of(1985, 3, 14));
        assertThat(model.score(c, d, KeyFrequencies.none()).decision()).isEqualTo(MatchDecision.AUTO_MERGE);
    }

    @Test
    void aLargeHouseholdBehindAGenericPhoneIsStillNotOnePerson() {
        MatchRecord mother = person("c-1", SWITCHBOARD, null, null, "Garcia", "28013", null);
        MatchRecord son = person("c-2", SWITCHBOARD, null, "Pablo", "Garcia", "28013", null);
        Candidate candidate = model.score(mother, son, switchboardSharedBy(7));
        assertThat(candidate.decision()).isEqualTo(MatchDecision.NONE);
        assertThat(candidate.evidence())
                .extracting(Evidence::level)
                .containsExactly(
                        "generic", "missing", "missing", "exact-shared-phone", "exact-shared-phone", "missing");
    }

    @Test
    void behindAGenericHouseholdPhoneTheFirstNameTellsTheSamePersonFromAMember() {
        MatchRecord call = person("c-1", SWITCHBOARD, null, "Pablo", "Garcia", "28013", null);
        MatchRecord again = person("c-2", SWITCHBOARD, null, "Pablo", "Garcia", "28013", null);
        MatchRecord sister = person("c-3", SWITCHBOARD, null, "Lucia", "Garcia", "28013", null);
        assertThat(model.score(call, again, switchboardSharedBy(12)).decision()).isEqualTo(MatchDecision.REVIEW);
        assertThat(model.score(call, sister, switchboardSharedBy(12)).decision())
                .isEqualTo(MatchDecision.NONE);
    }

    @Test
    void aCommonFullNameWeighsLessTheMoreProfilesHoldIt() {
        MatchRecord a = person("c-1", null, null, "James", "Smith", null, null);
        MatchRecord b = person("c-2", null, null, "JAMES", "Smith", null, null);
        String fullName = BlockingKeys.names(a).iterator().next();
        Candidate rare = model.score(a, b, key -> key.equals(fullName) ? settings.commonNameProfiles() : 1);
        Candidate common = model.score(a, b, key -> key.equals(fullName) ? 160 : 1);
        assertThat(rare.decision()).isEqualTo(MatchDecision.REVIEW);
        assertThat(common.decision()).isEqualTo(MatchDecision.NONE);
        double rareNames =
                rare.evidence().get(2).weight() + rare.evidence().get(3).weight();
        double commonNames =
                common.evidence().get(2).weight() + common.evidence().get(3).weight();
        double discount = Math.log(160.0 / settings.commonNameProfiles()) / Math.log(2);
        assertThat(rareNames - commonNames).isCloseTo(discount, within(1e-9));
        // the levels stay what they are: only their weight says the name is common
        assertThat(common.evidence())
                .extracting(Evidence::level)
                .containsExactlyElementsOf(
                        rare.evidence().stream().map(Evidence::level).toList());
    }

    @Test
    void aCommonNameIsNeverEvidenceAgainst() {
        MatchRecord a = person("c-1", null, null, "James", "Smith", null, LocalDate.of(1985, 3, 14));
        MatchRecord b = person("c-2", null, null, "James", "Smith", null, LocalDate.of(1985, 3, 14));
        Candidate candidate = model.score(a, b, key -> key.startsWith("fl:") ? 1_000_000 : 1);
        assertThat(candidate.evidence().get(2).weight()).isEqualTo(0.0);
        assertThat(candidate.evidence().get(3).weight()).isEqualTo(0.0);
        // the date of birth still counts in full
        assertThat(candidate.evidence().get(5).weight())
                .isEqualTo(settings.level(MatchField.DATE_OF_BIRTH, "exact").weight());
        assertThat(candidate.decision()).isEqualTo(MatchDecision.REVIEW);
    }

    @Test
    void theScoreIsThePosteriorOfPriorAndWeights() {
        MatchRecord a = person("c-1", null, null, "Maria", "Lopez", null, LocalDate.of(1985, 3, 14));
        MatchRecord b = person("c-2", null, null, "Marai", "Lopez", null, LocalDate.of(1985, 4, 3));
        Candidate candidate = model.score(a, b, KeyFrequencies.none());
        double logOdds = Math.log(settings.prior() / (1 - settings.prior())) / Math.log(2);
        for (Evidence evidence : candidate.evidence()) {
            logOdds += evidence.weight();
        }
        assertThat(candidate.score()).isCloseTo(1 / (1 + Math.pow(2, -logOdds)), within(1e-12));
        assertThat(candidate.evidence())
                .extracting(Evidence::level)
                .containsExactly("missing", "missing", "close", "exact", "missing", "different");
        assertThat(candidate.evidence())
                .filteredOn(e -> e.level().equals("missing"))
                .allMatch(e -> e.weight() == 0);
    }

    @Test
    void scoringIsSymmetric() {
        MatchRecord a =
                person("c-1", "+34600111222", "a@example.com", "Kate", "Smith", "28013", LocalDate.of(1990, 1, 2));
        MatchRecord b = person("c-2", "+34600111222", null, "Katherine", "Smyth", "28014", LocalDate.of(1990, 2, 1));
        assertThat(model.score(a, b, KeyFrequencies.none()).score())
                .isCloseTo(model.score(b, a, KeyFrequencies.none()).score(), within(1e-12));
    }

    @Test
    void decisionsOnTheWire() {
        assertThat(MatchDecision.AUTO_MERGE.wireName()).isEqualTo("auto_merge");
        assertThat(MatchDecision.REVIEW.wireName()).isEqualTo("review");
        assertThat(MatchDecision.NONE.wireName()).isEqualTo("none");
    }
}
