package dev.asof.ingestion.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Intake and the log writer meet only through Kafka: neither reaches into the other. */
class FeatureBoundariesTest {

    private final JavaClasses ingestion = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.asof.ingestion");

    @Test
    void intakeDoesNotReachIntoTheLogWriter() {
        noClasses()
                .that()
                .resideInAPackage("..ingestion.intake..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("..ingestion.log..")
                .check(ingestion);
    }

    @Test
    void theLogWriterDoesNotReachIntoIntake() {
        noClasses()
                .that()
                .resideInAPackage("..ingestion.log..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("..ingestion.intake..")
                .check(ingestion);
    }

    @Test
    void campaignsAndTheLogWriterMeetOnlyThroughKafkaAndTheCampaignsTable() {
        noClasses()
                .that()
                .resideInAPackage("..ingestion.campaign..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("..ingestion.log..", "..ingestion.intake..")
                .check(ingestion);
        noClasses()
                .that()
                .resideInAnyPackage("..ingestion.log..", "..ingestion.intake..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("..ingestion.campaign..")
                .check(ingestion);
    }

    @Test
    void campaignsNeverWriteTheView() {
        noClasses()
                .that()
                .resideInAPackage("..ingestion.campaign..")
                .should()
                .dependOnClassesThat()
                .haveSimpleName("ProfileViews")
                .check(ingestion);
    }

    @Test
    void intakeNeverWritesTheLogOrTheView() {
        noClasses()
                .that()
                .resideInAPackage("..ingestion.intake..")
                .should()
                .dependOnClassesThat()
                .haveSimpleName("EventLog")
                .orShould()
                .dependOnClassesThat()
                .haveSimpleName("ProfileViews")
                .check(ingestion);
    }
}
