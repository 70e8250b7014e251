package dev.asof.merge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The boundaries of merge-service, on its compiled classes: no core knows its web or Kafka edge, every event leaves
 * through the one write port (event-submission's {@code ProfileEventSubmitter}, never a producer of its own), the log
 * is read through service-support's storage classes, only the identity leases, the match index and the erasure
 * (its own table, and the subject's items it redacts, deletes and scans) talk to DynamoDB themselves, and identity knows nothing of matching. (The matching model is its own module, pure: see
 * matching-model's {@code ModelPurityTest}.)
 */
class PackageBoundariesTest {

    private static final String BASE = "dev.asof.merge";

    private static final JavaClasses SERVICE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(BASE);

    @Test
    void noCoreKnowsItsWebEdge() {
        noClasses()
                .that()
                .resideOutsideOfPackage("..web..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(BASE + "..web..")
                .check(SERVICE);
    }

    @Test
    void springMvcStaysInTheWebEdges() {
        noClasses()
                .that()
                .resideOutsideOfPackage("..web..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework.web.bind.annotation..", "org.springframework.http.server..")
                .check(SERVICE);
    }

    @Test
    void eventsLeaveOnlyThroughTheOneWritePort() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.kafka.clients.producer..")
                .orShould()
                .dependOnClassesThat()
                .haveSimpleName("KafkaTemplate")
                .as("merge-service publishes only through dev.asof.submission.ProfileEventSubmitter")
                .check(SERVICE);
    }

    @Test
    void kafkaStaysInTheKafkaEdges() {
        noClasses()
                .that()
                .resideOutsideOfPackage("..kafka..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.kafka..", "org.springframework.kafka..")
                .check(SERVICE);
    }

    @Test
    void onlyTheLeasesTheMatchIndexAndTheErasureTalkToDynamoDbThemselves() {
        noClasses()
                .that()
                .doNotHaveSimpleName("IdentityLocks")
                .and()
                .doNotHaveSimpleName("IdentityConfiguration")
                .and()
                .doNotHaveSimpleName("MatchIndex")
                .and()
                .doNotHaveSimpleName("MatchingConfiguration")
                .and()
                .doNotHaveSimpleName("ErasureStore")
                .and()
                .doNotHaveSimpleName("SubjectStores")
                .and()
                .doNotHaveSimpleName("ErasureConfiguration")
                .and()
                .doNotHaveSimpleName("ReEncryption")
                .and()
                // tells a store outage (an SDK exception) from a failure to index, to retry the one until it passes
                .doNotHaveSimpleName("MatchIndexFollowerConfiguration")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("software.amazon.awssdk..")
                .as("the log and the identity links are read through dev.asof.support.storage")
                .check(SERVICE);
    }

    @Test
    void identityKnowsNothingOfMatching() {
        noClasses()
                .that()
                .resideInAPackage(BASE + ".identity..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(BASE + ".matching..")
                .check(SERVICE);
    }

    @Test
    void noPackageCycles() {
        slices().matching(BASE + ".(**)").should().beFreeOfCycles().check(SERVICE);
    }
}
