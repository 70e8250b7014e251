package dev.asof.privacy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key-encryption key (KEK): the Tink {@link Aead} that wraps every data subject's data key before it is
 * stored in {@code subject_keys}. Whoever holds the KEK and the table can read every subject's data; whoever
 * holds only the table (a backup, a scan) cannot.
 *
 * <p><b>Locally</b> ({@link #local(Path)}) the KEK is a Tink keyset with one AES-256-GCM key, stored as a
 * cleartext JSON keyset ({@link TinkJsonProtoKeysetFormat}) at {@code asof.privacy.kek-keyset-path} (default
 * {@code .asof/privacy/kek.json}). It is created when missing (parent directories too, the file readable only
 * by its owner where the file system has POSIX permissions) and reused otherwise. Creation is atomic: the
 * keyset is written to a temporary file in the same directory and then linked to its name, which fails if the
 * name already exists, so two services starting at once agree on one KEK (the loser reads the winner's).
 *
 * <p><b>On AWS</b> (configuration to come, not built yet) the KEK is a KMS key: Tink's KMS envelope AEAD with a
 * key URI such as {@code aws-kms://arn:aws:kms:eu-west-1:111122223333:key/...} (module {@code tink-awskms}), so
 * the KEK's material never leaves KMS. {@link #of(Aead)} already takes any {@link Aead}, so that step adds a
 * property and a factory, not a change to {@link SubjectKeys}.
 *
 * <p>Losing the KEK makes every stored data key, and so every encrypted value, unreadable: back the keyset file
 * (or the KMS key) up separately from the tables.
 */
public final class KeyEncryptionKey {

    private static final Logger log = LoggerFactory.getLogger(KeyEncryptionKey.class);

    private final Aead aead;
    private final String description;

    private KeyEncryptionKey(Aead aead, String description) {
        this.aead = Objects.requireNonNull(aead, "aead");
        this.description = description;
    }

    /** A KEK from any Tink {@link Aead} (a KMS envelope, a test keyset). */
    public static KeyEncryptionKey of(Aead aead, String description) {
        return new KeyEncryptionKey(aead, description);
    }

    /** The local KEK: the keyset file at {@code path}, created (atomically, mode 600) when missing. */
    public static KeyEncryptionKey local(Path path) {
        Path file = path.toAbsolutePath().normalize();
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            KeysetHandle keyset = TinkJsonProtoKeysetFormat.parseKeyset(
                    Files.readString(file, StandardCharsets.UTF_8), InsecureSecretKeyAccess.get());
            return new KeyEncryptionKey(Tink.aead(keyset), "local keyset " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the key-encryption keyset " + file, e);
        } catch (GeneralSecurityException e) {
            throw new PrivacyException(
                    "the key-encryption keyset " + file + " is not a valid Tink AEAD keyset (damaged, or not a"
                            + " keyset); restore it from its backup: without it no stored data key can be unwrapped",
                    e);
        }
    }

    /** Writes a new keyset next to {@code file} and links it into place unless another process got there first. */
    private static void create(Path file) throws IOException, GeneralSecurityException {
        Path dir = file.getParent();
        Files.createDirectories(dir);
        String json =
                TinkJsonProtoKeysetFormat.serializeKeyset(Tink.newAes256GcmKeyset(), InsecureSecretKeyAccess.get());
        Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp", ownerOnly(dir));
        try {
            Files.writeString(temp, json, StandardCharsets.UTF_8);
            try {
                Files.createLink(file, temp);
                log.info("created the key-encryption keyset {}", file);
            } catch (FileAlreadyExistsException lostTheRace) {
                // Another process created it between our check and our link: use theirs.
            } catch (UnsupportedOperationException noHardLinks) {
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
                    log.info("created the key-encryption keyset {}", file);
                } catch (FileAlreadyExistsException lostTheRace) {
                    // As above.
                }
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path dir) {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Set<PosixFilePermission> rw = PosixFilePermissions.fromString("rw-------");
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(rw)};
        }
        return new FileAttribute<?>[0];
    }

    /** The KEK as a Tink primitive. */
    Aead aead() {
        return aead;
    }

    @Override
    public String toString() {
        return "KeyEncryptionKey[" + description + "]";
    }
}
