package dev.asof.privacy;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * A Tink {@link Aead} whose key is an AWS KMS key: {@code encrypt} and {@code decrypt} are KMS calls, so the key's
 * material never leaves KMS. It does what Tink's {@code AwsKmsAead} does (the associated data travels as the
 * encryption context, hex-encoded, and a ciphertext must come back from the same key), on the AWS SDK v2 that the
 * services already use. It wraps data keysets of a few dozen bytes, well under KMS's 4 KB limit.
 *
 * <p>A ciphertext KMS refuses (another key, another customer's associated data, altered) is a
 * {@link GeneralSecurityException}, as Tink expects. KMS unreachable, too slow or refusing the call (throttled,
 * key disabled, no permission) is a {@link KeyServiceUnavailableException}: nothing was written, and the request
 * may be retried.
 */
final class KmsAead implements Aead {

    private static final String CONTEXT_KEY = "asof-associated-data";

    private final KmsClient kms;
    private final String keyArn;

    KmsAead(KmsClient kms, String keyArn) {
        this.kms = Objects.requireNonNull(kms, "kms");
        this.keyArn = Objects.requireNonNull(keyArn, "keyArn");
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
        try {
            return kms.encrypt(request -> request.keyId(keyArn)
                            .plaintext(SdkBytes.fromByteArray(plaintext))
                            .encryptionContext(context(associatedData)))
                    .ciphertextBlob()
                    .asByteArray();
        } catch (SdkClientException | KmsException e) {
            throw unavailable("encrypt", e);
        }
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        DecryptResponse response;
        try {
            response = kms.decrypt(request -> request.keyId(keyArn)
                    .ciphertextBlob(SdkBytes.fromByteArray(ciphertext))
                    .encryptionContext(context(associatedData)));
        } catch (InvalidCiphertextException | IncorrectKeyException e) {
            throw new GeneralSecurityException("KMS key " + keyArn + " refused the ciphertext", e);
        } catch (SdkClientException | KmsException e) {
            throw unavailable("decrypt", e);
        }
        if (response.keyId() != null && !sameKey(response.keyId())) {
            throw new GeneralSecurityException(
                    "the ciphertext was made by KMS key " + response.keyId() + ", not by the configured " + keyArn);
        }
        return response.plaintext().asByteArray();
    }

    /** KMS answers with the key's ARN; the configured id may be that ARN or an alias ARN, which cannot be compared. */
    private boolean sameKey(String answered) {
        return !keyArn.contains(":key/") || answered.equals(keyArn);
    }

    private static Map<String, String> context(byte[] associatedData) {
        return associatedData == null || associatedData.length == 0
                ? Map.of()
                : Map.of(CONTEXT_KEY, HexFormat.of().formatHex(associatedData));
    }

    private KeyServiceUnavailableException unavailable(String call, RuntimeException e) {
        return new KeyServiceUnavailableException(
                "KMS " + call + " with key " + keyArn + " failed: "
                        + e.getClass().getSimpleName() + " (" + e.getMessage() + ")",
                e);
    }

    @Override
    public String toString() {
        return "KMS key " + keyArn;
    }
}
