package dev.asof.privacy;

import dev.asof.events.AttributeValue;
import dev.asof.events.EventJson;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import tools.jackson.core.JacksonException;

/**
 * Encrypts and decrypts attribute values with their data subject's key ({@link SubjectKeys}).
 *
 * <p>A ciphertext is an {@link AttributeValue.Text} holding {@value #PREFIX} followed by the Tink AEAD ciphertext
 * in unpadded base64url. The plaintext is the value's canonical JSON ({@link EventJson#valueNode}), so a string, an
 * exact number ({@code 1.0}, {@code 1E+3}), a boolean or {@code null} comes back with its type and scale; the
 * associated data is the customer id, so a ciphertext moved to another customer does not open.
 *
 * <p>{@link AttributeValue#NULL} (a removal) is <b>not</b> encrypted: it carries no personal data, and keeping it
 * in clear keeps "is this a removal / a no-op" checks working on stored events without a key. Every other value
 * is encrypted, including text that already looks like a ciphertext (it decrypts back to that text).
 *
 * <p>{@link #decrypt} returns a value that is not in the {@value #PREFIX} form unchanged: items written before
 * encryption was turned on stay readable. (A plaintext string that itself starts with {@value #PREFIX} and was
 * stored before encryption cannot be told apart and fails to decrypt; the re-encryption migration will find
 * these.)
 */
public final class ValueCipher {

    /** Marks an encrypted value; {@code v1}: Tink AES-256-GCM, canonical JSON plaintext, customer id as AD. */
    public static final String PREFIX = "asof:enc:v1:";

    /** Tink's output prefix (version byte and key id) plus the AES-GCM nonce and tag. */
    private static final int AEAD_OVERHEAD = 5 + 12 + 16;

    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNBASE64 = Base64.getUrlDecoder();

    private final SubjectKeys keys;

    public ValueCipher(SubjectKeys keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    /** {@code value} encrypted for {@code customerId}; {@link AttributeValue#NULL} is returned as it is. */
    public AttributeValue encrypt(String customerId, AttributeValue value) {
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(value, "value");
        if (value instanceof AttributeValue.Null) {
            return value;
        }
        byte[] plaintext = EventJson.mapper().writeValueAsBytes(EventJson.valueNode(value));
        try {
            byte[] ciphertext =
                    keys.forEncryption(customerId).aead().encrypt(plaintext, SubjectKeys.associatedData(customerId));
            return new AttributeValue.Text(PREFIX + BASE64.encodeToString(ciphertext));
        } catch (GeneralSecurityException e) {
            throw new PrivacyException("cannot encrypt a value of customer " + customerId, e);
        }
    }

    /**
     * The value {@code value} was encrypted from, or {@code value} itself when it is not a ciphertext.
     *
     * @throws SubjectErasedException the subject's key (of the ciphertext's generation) was destroyed
     * @throws PrivacyException the ciphertext does not open with the subject's key (another subject's, altered),
     *     or the key cannot be unwrapped
     */
    public AttributeValue decrypt(String customerId, AttributeValue value) {
        Objects.requireNonNull(customerId, "customerId");
        if (!isCiphertext(value)) {
            return value;
        }
        byte[] ciphertext;
        try {
            ciphertext = UNBASE64.decode(((AttributeValue.Text) value).value().substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new PrivacyException(
                    "a value of customer " + customerId + " is marked as encrypted but is not" + " valid base64url");
        }
        byte[] associatedData = SubjectKeys.associatedData(customerId);
        byte[] plaintext;
        try {
            plaintext = keys.forDecryption(customerId).aead().decrypt(ciphertext, associatedData);
        } catch (GeneralSecurityException staleOrForeign) {
            plaintext = retryPastCache(customerId, ciphertext, associatedData);
        }
        try {
            return EventJson.value(EventJson.mapper().readTree(plaintext));
        } catch (JacksonException | IllegalArgumentException e) {
            throw new PrivacyException("a decrypted value of customer " + customerId + " is not a JSON scalar");
        }
    }

    /** Whether {@code value} is in the ciphertext form. */
    public static boolean isCiphertext(AttributeValue value) {
        return value instanceof AttributeValue.Text text && text.value().startsWith(PREFIX);
    }

    /**
     * The exact length, in characters (all ASCII, so also in UTF-8 bytes), of the ciphertext text of a value whose
     * canonical JSON is {@code plaintextJsonBytes} bytes long.
     */
    public static int ciphertextLength(int plaintextJsonBytes) {
        if (plaintextJsonBytes < 0) {
            throw new IllegalArgumentException("negative length: " + plaintextJsonBytes);
        }
        long bytes = (long) plaintextJsonBytes + AEAD_OVERHEAD;
        return Math.toIntExact(PREFIX.length() + (4 * bytes + 2) / 3);
    }

    /**
     * A ciphertext did not open with the cached key: read the key again (another replica may have destroyed it, or
     * created a returning customer's next generation). Still failing: the value was written under a destroyed
     * generation (when the subject was ever erased), or for another subject, or altered.
     */
    private byte[] retryPastCache(String customerId, byte[] ciphertext, byte[] associatedData) {
        SubjectKeys.LiveKey current = keys.refreshForDecryption(customerId);
        try {
            return current.aead().decrypt(ciphertext, associatedData);
        } catch (GeneralSecurityException e) {
            Instant erased = keys.lastErasure(customerId);
            if (erased != null) {
                throw new SubjectErasedException(customerId, erased);
            }
            throw new PrivacyException("a value does not open with the data key of customer " + customerId
                    + " (generation " + current.generation() + "): it was encrypted for another customer, or"
                    + " altered");
        }
    }
}
