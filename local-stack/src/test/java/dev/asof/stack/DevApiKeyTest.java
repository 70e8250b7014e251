package dev.asof.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevApiKeyTest {

    @TempDir
    Path home;

    @Test
    void isCreatedOnceReadableOnlyByItsOwnerAndReused() throws Exception {
        Path file = home.resolve("dev-api-key");

        DevApiKey first = DevApiKey.loadOrCreate(file);
        DevApiKey second = DevApiKey.loadOrCreate(file);

        assertThat(first.value()).startsWith("asof_dev_").hasSizeGreaterThan(30);
        assertThat(second).isEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(DevApiKey.loadOrCreate(home.resolve("other"))).isNotEqualTo(first);
    }

    @Test
    void tightensPermissionsOfAKeyFileWrittenByHand() throws Exception {
        Path file = Files.writeString(home.resolve("dev-api-key"), "my-own-key\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(DevApiKey.loadOrCreate(file).value()).isEqualTo("my-own-key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }

    @Test
    void hashesLikeTheServicesExpect() {
        // printf abc | sha256sum
        assertThat(new DevApiKey(DevApiKey.NAME, DevApiKey.SCOPES, "abc").sha256())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void neverPrintsTheKeyByAccident() {
        assertThat(new DevApiKey(DevApiKey.NAME, DevApiKey.SCOPES, "secret-value").toString())
                .doesNotContain("secret-value");
    }
}
