package dev.asof.events.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The contract stays a plain library, and the fold and the decisions beside it stay pure: no framework, no I/O, no
 * clock, no randomness.
 */
class ContractPurityTest {

    private final JavaClasses contract = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.asof.events");

    @Test
    void theContractDependsOnNoFrameworkOrStore() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.springframework..",
                        "software.amazon..",
                        "com.amazonaws..",
                        "io.awspring..",
                        "org.apache.kafka..",
                        "io.confluent..")
                .check(contract);
    }

    @Test
    void theFoldAndTheDecisionsReadNoClockAndNoRandomness() {
        noClasses()
                .that()
                .haveSimpleNameStartingWith("Profile")
                .or()
                .haveSimpleNameStartingWith("Decision")
                .or()
                .haveSimpleName("KnownIdentities")
                .or()
                .haveSimpleNameEndingWith("Profiles")
                .should()
                .callMethod(java.time.Instant.class, "now")
                .orShould()
                .callMethod(System.class, "currentTimeMillis")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.time.Clock")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.util.Random")
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage("java.io..", "java.nio..", "java.net..")
                .check(contract);
    }
}
