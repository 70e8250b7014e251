package dev.asof.matching;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The matching model takes no I/O and no framework: normalisers, blocking keys and the scorer are pure functions. */
class ModelPurityTest {

    private static final JavaClasses MODEL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.asof.matching");

    @Test
    void theModelUsesNoFrameworkAndNoStore() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.springframework..",
                        "software.amazon..",
                        "org.apache.kafka..",
                        "io.micrometer..",
                        "dev.asof.support..",
                        "java.net..",
                        "java.sql..")
                .check(MODEL);
    }
}
