package dev.asof.console;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The console reads only through the services' HTTP APIs: no table, no topic, no service's code. */
class ConsoleBoundariesTest {

    static final JavaClasses CONSOLE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.asof.console");

    @Test
    void theConsoleTouchesNoTableAndNoTopic() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("software.amazon..", "org.apache.kafka..", "org.springframework.kafka..")
                .check(CONSOLE);
    }

    @Test
    void theConsoleUsesNoServiceCode() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.asof.support..",
                        "dev.asof.events..",
                        "dev.asof.ingestion..",
                        "dev.asof.reconstruction..",
                        "dev.asof.merge..",
                        "dev.asof.privacy..")
                .check(CONSOLE);
    }

    @Test
    void onlyTheApiClientCallsTheServices() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.asof.console.api..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.net.http.HttpClient")
                .check(CONSOLE);
    }
}
