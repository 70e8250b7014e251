package dev.asof.privacy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Keys for data that waits before it enters the write path (a campaign's validated lines): one AES-256-GCM keyset
 * per owner (a campaign), stored next to the data wrapped by the {@link KeyEncryptionKey} with the owner's id as
 * associated data. The data is deleted, with its key, once it has gone through the write path, where every value
 * is encrypted again with its data subject's key.
 */
public final class StagingKeys {

    private final KeyEncryptionKey kek;

    public StagingKeys(KeyEncryptionKey kek) {
        this.kek = kek;
    }

    /** A key to stage data with, and its wrapped form to store. */
    public record StagingKey(byte[] wrapped, Aead aead) {

        /** Encrypts {@code plaintext}, bound to {@code context} (e.g. the chunk's number). */
        public byte[] seal(byte[] plaintext, String context) {
            try {
                return aead.encrypt(plaintext, context.getBytes(StandardCharsets.UTF_8));
            } catch (GeneralSecurityException e) {
                throw new PrivacyException("cannot encrypt staged data", e);
            }
        }

        /** Decrypts what {@link #seal} made with the same {@code context}. */
        public byte[] open(byte[] ciphertext, String context) {
            try {
                return aead.decrypt(ciphertext, context.getBytes(StandardCharsets.UTF_8));
            } catch (GeneralSecurityException e) {
                throw new PrivacyException("staged data does not decrypt with its key (context " + context + ")", e);
            }
        }
    }

    /** A fresh key for {@code owner}. */
    public StagingKey create(String owner) {
        try {
            KeysetHandle keyset = Tink.newAes256GcmKeyset();
            byte[] wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, kek.aead(), associatedData(owner));
            return new StagingKey(wrapped, Tink.aead(keyset));
        } catch (GeneralSecurityException e) {
            throw new PrivacyException("cannot create a staging key for " + owner, e);
        }
    }

    /** The key {@link #create} made for {@code owner}, from its wrapped form. */
    public StagingKey open(String owner, byte[] wrapped) {
        try {
            KeysetHandle keyset =
                    TinkProtoKeysetFormat.parseEncryptedKeyset(wrapped, kek.aead(), associatedData(owner));
            return new StagingKey(wrapped, Tink.aead(keyset));
        } catch (GeneralSecurityException e) {
            throw new PrivacyException("the staging key of " + owner + " cannot be unwrapped with " + kek, e);
        }
    }

    private static byte[] associatedData(String owner) {
        return ("staging:" + owner).getBytes(StandardCharsets.UTF_8);
    }
}
