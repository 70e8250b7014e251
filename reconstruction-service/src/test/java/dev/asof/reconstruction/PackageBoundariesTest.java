package dev.asof.reconstruction;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The feature boundaries of this service, on its compiled classes: every feature package names the packages of
 * this service it may use (the state reader and the resilience plumbing know nothing of the features built on
 * them), no feature's core knows its web or Kafka edge, and no two packages depend on each other.
 */
class PackageBoundariesTest {

    private static final String BASE = "dev.asof.reconstruction";

    private static final JavaClasses SERVICE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(BASE);

    @Test
    void resilienceKnowsNoOtherPackage() {
        feature("resilience").check(SERVICE);
    }

    @Test
    void theStateReaderKnowsOnlyResilience() {
        feature("state", "resilience").check(SERVICE);
    }

    @Test
    void theSharedWebEdgeKnowsOnlyResilience() {
        feature("web", "resilience").check(SERVICE);
    }

    @Test
    void snapshotsBuildOnTheStateReader() {
        feature("snapshot", "state", "resilience").check(SERVICE);
    }

    @Test
    void historyBuildsOnTheStateReader() {
        feature("history", "state", "resilience", "web").check(SERVICE);
    }

    @Test
    void profilesBuildOnSnapshotsAndTheStateReader() {
        // profile.web answers with the integrations' views of a profile
        feature("profile", "snapshot", "state", "resilience", "web", "integrations")
                .check(SERVICE);
    }

    @Test
    void theWarmUpReadsThroughHistoryAndProfiles() {
        feature("warmup", "history", "profile", "snapshot", "state", "resilience")
                .check(SERVICE);
    }

    @Test
    void integrationsKnowOnlyTheProfileCoreAndTheWebEdge() {
        feature("integrations", "profile", "web").check(SERVICE);
    }

    @Test
    void theProfileCoreDoesNotKnowTheIntegrations() {
        noClasses()
                .that()
                .resideInAPackage(BASE + ".profile")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(BASE + ".integrations..")
                .check(SERVICE);
    }

    @Test
    void aFeaturesCoreDoesNotKnowItsEdges() {
        noClasses()
                .that()
                .resideOutsideOfPackages("..web", "..kafka")
                .should()
                .dependOnClassesThat(
                        resideInAnyPackage(BASE + "..web", BASE + "..kafka").and(resideOutsideOfPackage(BASE + ".web")))
                .check(SERVICE);
    }

    @Test
    void springMvcStaysInTheWebEdges() {
        noClasses()
                .that()
                .resideOutsideOfPackages("..web")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.springframework.web.bind.annotation..")
                .check(SERVICE);
    }

    @Test
    void noPackageCycles() {
        slices().matching(BASE + ".(**)").should().beFreeOfCycles().check(SERVICE);
    }

    /**
     * The classes of {@code feature} (and its edges) use, of this service, only their own feature and the exact
     * packages named: {@code "profile"} is the profile core, not its web or Kafka edge.
     */
    private static ArchRule feature(String feature, String... mayUse) {
        String[] allowed = Stream.concat(
                        Stream.of(BASE + "." + feature + ".."),
                        Arrays.stream(mayUse).map(used -> BASE + "." + used))
                .toArray(String[]::new);
        return classes()
                .that()
                .resideInAPackage(BASE + "." + feature + "..")
                .should()
                .onlyDependOnClassesThat(resideOutsideOfPackage(BASE + "..").or(resideInAnyPackage(allowed)))
                .as(String.format("%s may use only %s of %s", feature, Arrays.toString(mayUse), BASE));
    }
}
