package dev.asof.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/** docker-compose.yml must run the Kafka the build uses, so both ways of running the stack behave alike. */
class ComposeFileTest {

    private static final Path ROOT =
            Path.of(System.getProperty("asof.root", "..")).toAbsolutePath().normalize();

    @Test
    void runsTheKafkaVersionSpringBootManages() throws Exception {
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));

        assertThat(compose).contains("image: apache/kafka:" + AppInfoParser.getVersion() + "\n");
    }

    @Test
    void installsDynaliteFromTheCommittedLockfile() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("docker/dynalite.Dockerfile"));

        assertThat(dockerfile).contains("COPY package.json package-lock.json").contains("npm ci");
    }

    @Test
    void startsDynaliteWithThePreloadThatClosesItsIterators() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("docker/dynalite.Dockerfile"));

        assertThat(dockerfile)
                .contains("COPY " + DynaliteProcess.PRELOAD + " ./dynalite-preload.cjs")
                .contains("\"--require\", \"./dynalite-preload.cjs\"");
        assertThat(Files.isRegularFile(ROOT.resolve(DynaliteProcess.PRELOAD))).isTrue();
    }
}
