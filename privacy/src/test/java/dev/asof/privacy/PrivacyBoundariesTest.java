package dev.asof.privacy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The privacy library on its compiled classes: no hand-written cryptography (Tink primitives only, no JCA), and no
 * knowledge of the services that will use it.
 */
class PrivacyBoundariesTest {

    private static final JavaClasses LIBRARY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.asof.privacy");

    @Test
    void cryptographyIsTinksOnly() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("javax.crypto..", "java.security.spec..")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.security.SecureRandom")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.security.MessageDigest")
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage("com.google.crypto.tink.subtle..", "com.google.crypto.tink.internal..")
                .as("keys and ciphertexts come from Tink keysets and primitives, never from the JCA or Tink internals")
                .check(LIBRARY);
    }

    @Test
    void theLibraryKnowsNoService() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.asof.ingestion..",
                        "dev.asof.reconstruction..",
                        "dev.asof.merge..",
                        "dev.asof.submission..",
                        "dev.asof.matching..")
                .check(LIBRARY);
    }
}
