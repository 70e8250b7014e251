package dev.asof.privacy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.security.GeneralSecurityException;

/** The one place that sets Tink up: AES-256-GCM keysets and their {@link Aead} primitives. */
final class Tink {

    private static final Configuration AEAD;

    static {
        try {
            AeadConfig.register();
            AEAD = RegistryConfiguration.get();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Tink() {}

    /** A fresh keyset holding one AES-256-GCM key (Tink output prefix: the key id travels with the ciphertext). */
    static KeysetHandle newAes256GcmKeyset() throws GeneralSecurityException {
        return KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
    }

    static Aead aead(KeysetHandle keyset) throws GeneralSecurityException {
        return keyset.getPrimitive(AEAD, Aead.class);
    }
}
