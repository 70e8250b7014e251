package dev.asof.submission;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The write path serves every writer, so it knows none of them. */
class WritePathBoundariesTest {

    private final JavaClasses submission = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.asof.submission");

    @Test
    void theWritePathDependsOnNoWriter() {
        noClasses()
                .that()
                .resideInAPackage("dev.asof.submission..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.asof.ingestion..", "dev.asof.merge..")
                .check(submission);
    }
}
