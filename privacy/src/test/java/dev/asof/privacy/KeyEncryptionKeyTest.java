package dev.asof.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyEncryptionKeyTest {

    private static final byte[] AD = "customer-1".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void theKeysetFileIsCreatedOnceWithOwnerOnlyPermissionsAndReused() throws Exception {
        Path file = dir.resolve("nested/.asof/privacy/kek.json");

        KeyEncryptionKey first = KeyEncryptionKey.local(file);
        String created = Files.readString(file);
        byte[] wrapped = first.aead().encrypt(new byte[] {1, 2, 3}, AD);
        KeyEncryptionKey again = KeyEncryptionKey.local(file);

        assertThat(Files.readString(file)).isEqualTo(created);
        assertThat(again.aead().decrypt(wrapped, AD)).containsExactly(1, 2, 3);
        assertThat(created).contains("AesGcmKey").contains("\"primaryKeyId\"");
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
        }
        try (var leftovers = Files.list(file.getParent())) {
            assertThat(leftovers).as("no temporary files left").containsExactly(file);
        }
        assertThat(first.toString()).contains(file.toString()).doesNotContain("AesGcmKey");
    }

    @Test
    void servicesStartingAtOnceAgreeOnOneKek() throws Exception {
        Path file = dir.resolve("race/kek.json");
        int starters = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(starters);
        List<Future<KeyEncryptionKey>> keks = new ArrayList<>();
        for (int i = 0; i < starters; i++) {
            keks.add(pool.submit(() -> {
                start.await();
                return KeyEncryptionKey.local(file);
            }));
        }
        start.countDown();
        List<KeyEncryptionKey> loaded = new ArrayList<>();
        for (Future<KeyEncryptionKey> kek : keks) {
            loaded.add(kek.get(30, TimeUnit.SECONDS));
        }
        pool.shutdown();

        byte[] wrapped = loaded.get(0).aead().encrypt(new byte[] {42}, AD);
        for (KeyEncryptionKey kek : loaded) {
            assertThat(kek.aead().decrypt(wrapped, AD)).containsExactly(42);
        }
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aDamagedKeysetFileIsAClearError() throws Exception {
        Path file = dir.resolve("kek.json");
        Files.writeString(file, "{\"not\": \"a keyset\"}");

        assertThatThrownBy(() -> KeyEncryptionKey.local(file))
                .isInstanceOf(PrivacyException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not a valid Tink AEAD keyset");
    }
}
