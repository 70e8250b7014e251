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
import software.amazon.awssdk.services.kms.KmsClient;

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
 * <p><b>On AWS</b> ({@link #kms}) the KEK is a KMS key named by a Tink-style key URI,
 * {@code aws-kms://arn:aws:kms:eu-west-1:111122223333:key/...} or an alias ARN: wrapping and unwrapping a data key
 * are KMS calls ({@link KmsAead}), so the KEK's material never leaves KMS, and the data-key cache keeps them rare.
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

    /** The Tink-style scheme of a KMS key URI. */
    static final String AWS_KMS_SCHEME = "aws-kms://";

    /**
     * The KEK in AWS KMS: {@code keyUri} is {@code aws-kms://} followed by the ARN of a symmetric KMS key or of an
     * alias; {@code kms} is a client for the ARN's region.
     */
    public static KeyEncryptionKey kms(String keyUri, KmsClient kms) {
        return new KeyEncryptionKey(new KmsAead(kms, kmsKeyArn(keyUri)), "KMS key " + kmsKeyArn(keyUri));
    }

    /**
     * The key ARN in a KMS key URI.
     *
     * @throws IllegalArgumentException not {@code aws-kms://arn:<partition>:kms:<region>:<account>:key/<id>} or
     *     {@code ...:alias/<name>}
     */
    public static String kmsKeyArn(String keyUri) {
        String arn =
                keyUri == null || !keyUri.startsWith(AWS_KMS_SCHEME) ? "" : keyUri.substring(AWS_KMS_SCHEME.length());
        String[] parts = arn.split(":", 6);
        boolean valid = parts.length == 6
                && parts[0].equals("arn")
                && !parts[1].isEmpty()
                && parts[2].equals("kms")
                && !parts[3].isEmpty()
                && !parts[4].isEmpty()
                && (parts[5].matches("key/[A-Za-z0-9-]+") || parts[5].matches("alias/[A-Za-z0-9/_-]+"));
        if (!valid) {
            throw new IllegalArgumentException("asof.privacy.kek-uri must be aws-kms:// followed by a KMS key or alias"
                    + " ARN (aws-kms://arn:aws:kms:<region>:<account>:key/<key id>), was '" + keyUri + "'");
        }
        return arn;
    }

    /** The AWS region in a KMS key URI. */
    public static String kmsRegion(String keyUri) {
        return kmsKeyArn(keyUri).split(":")[3];
    }

    /** The local KEK: the keyset file at {@code path}, created (atomically, mode 600) when missing. */
    public static KeyEncryptionKey local(Path path) {
        Path file = path.toAbsolutePath().normalize();
        try {
            if (!Files.exists(file)) {
                create(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the key-encryption keyset " + file, e);
        } catch (GeneralSecurityException e) {
            throw new PrivacyException("cannot make a key-encryption keyset", e);
        }
        return read(file);
    }

    /**
     * A local keyset that must exist already (never created): a previous KEK, kept only to unwrap.
     *
     * @throws PrivacyException the file does not exist
     */
    public static KeyEncryptionKey existing(Path path) {
        Path file = path.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new PrivacyException("the previous key-encryption keyset " + file + " does not exist;"
                    + " asof.privacy.previous-kek-keyset-path must name the keyset the data keys were wrapped with");
        }
        return read(file);
    }

    private static KeyEncryptionKey read(Path file) {
        try {
            KeysetHandle keyset = TinkJsonProtoKeysetFormat.parseKeyset(
                    Files.readString(file, StandardCharsets.UTF_8), InsecureSecretKeyAccess.get());
            return new KeyEncryptionKey(Tink.aead(keyset), "local keyset " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key-encryption keyset " + file, e);
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

    /**
     * This KEK, unwrapping also with {@code previous} what this one cannot: for moving to a different KEK (another
     * KMS key, another keyset file). Data keys are wrapped only by this one; a stored key that this one refuses (a
     * {@link GeneralSecurityException}: made by another key) is unwrapped by {@code previous}. An outage of either
     * ({@link KeyServiceUnavailableException}) is never taken for a refusal. Once the rewrap pass ({@link
     * SubjectKeys#rewrap}) has run to its end, every data key is wrapped by this one; {@code previous} can go once no
     * campaign holds a staging key wrapped by it either (docs/privacy.md, "Moving to a different KEK").
     */
    public KeyEncryptionKey unwrappingAlsoWith(KeyEncryptionKey previous) {
        Aead current = aead;
        Aead old = previous.aead;
        return new KeyEncryptionKey(
                new Aead() {
                    @Override
                    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
                        return current.encrypt(plaintext, associatedData);
                    }

                    @Override
                    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
                        try {
                            return current.decrypt(ciphertext, associatedData);
                        } catch (GeneralSecurityException notWrappedByCurrent) {
                            return old.decrypt(ciphertext, associatedData);
                        }
                    }
                },
                description + ", unwrapping also with the previous " + previous.description);
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
