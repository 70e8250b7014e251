package dev.asof.merge.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.matching.MatchField;
import dev.asof.matching.MatchSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code asof.matching.*} as an operator writes it, bound the way Spring Boot binds it. */
class MatchingPropertiesTest {

    private static MatchingProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("asof.matching", MatchingProperties.class);
    }

    @Test
    void withNothingSetTheModelsDefaultsHold() {
        MatchingProperties properties = bind(Map.of());
        MatchSettings defaults = MatchSettings.defaults();

        assertThat(properties.settings()).isEqualTo(defaults);
        assertThat(properties.catalog().fields()).containsEntry("address.postcode", MatchField.POSTCODE);
        assertThat(properties.autoMerge()).isFalse();
        assertThat(properties.maxBlockSize()).isEqualTo(200);
        assertThat(properties.lookupThreads()).isEqualTo(32);
        assertThat(properties.settings().commonNameProfiles()).isEqualTo(4);
    }

    @Test
    void regionThresholdsPriorAndSingleLevelsOverrideTheDefaults() {
        MatchSettings settings = bind(Map.of(
                        "asof.matching.default-region", "ES",
                        "asof.matching.auto-merge-threshold", "0.999",
                        "asof.matching.review-threshold", "0.7",
                        "asof.matching.prior", "0.002",
                        "asof.matching.levels.phone.exact.m", "0.95",
                        "asof.matching.levels.phone.exact.u", "0.001"))
                .settings();

        assertThat(settings.defaultRegion()).isEqualTo("ES");
        assertThat(settings.autoMergeThreshold()).isEqualTo(0.999);
        assertThat(settings.reviewThreshold()).isEqualTo(0.7);
        assertThat(settings.prior()).isEqualTo(0.002);
        assertThat(settings.levels().get(MatchField.PHONE).get("exact").u()).isEqualTo(0.001);
        assertThat(settings.levels().get(MatchField.PHONE).get("different"))
                .isEqualTo(
                        MatchSettings.defaults().levels().get(MatchField.PHONE).get("different"));
    }

    @Test
    void theFollowersRetryPauseMustBePositive() {
        try (var factory = jakarta.validation.Validation.buildDefaultValidatorFactory()) {
            var validator = factory.getValidator();
            assertThat(bind(Map.of()).indexRetryMaxInterval()).hasSeconds(5);
            assertThat(validator.validate(bind(Map.of())))
                    .as("the defaults are valid")
                    .isEmpty();
            for (String pause : new String[] {"0s", "-1s"}) {
                assertThat(validator.validate(bind(Map.of("asof.matching.index-retry-max-interval", pause))))
                        .singleElement()
                        .satisfies(violation -> assertThat(
                                        violation.getPropertyPath().toString())
                                .isEqualTo("indexRetryMaxInterval"));
            }
        }
    }

    @Test
    void anUnknownLevelIsRefusedNamingTheLevelsThereAre() {
        MatchingProperties properties = bind(
                Map.of("asof.matching.levels.phone.similar.m", "0.5", "asof.matching.levels.phone.similar.u", "0.5"));

        assertThatThrownBy(properties::settings)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PHONE has no level similar")
                .hasMessageContaining("exact");
    }

    @Test
    void aCatalogMapsOtherAttributeKeys() {
        MatchingProperties properties =
                bind(Map.of("asof.matching.fields[mobile]", "PHONE", "asof.matching.fields[contact.email]", "EMAIL"));

        assertThat(properties.catalog().fields())
                .containsOnly(Map.entry("mobile", MatchField.PHONE), Map.entry("contact.email", MatchField.EMAIL));
    }
}
