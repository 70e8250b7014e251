package dev.asof.privacy;

import dev.asof.events.AttributeValue;
import dev.asof.events.EncryptedValues;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileErased;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileUnmerged;
import dev.asof.events.RecordedEvent;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import tools.jackson.core.JacksonException;

/**
 * Encrypts and decrypts attribute values with their data subject's key ({@link SubjectKeys}).
 *
 * <p>A ciphertext is an {@link AttributeValue.Text} in the form of {@link EncryptedValues}: {@value #PREFIX}, the
 * customer id whose key encrypted it, {@code ':'}, and the Tink AEAD ciphertext in unpadded base64url. The
 * plaintext is the value's canonical JSON ({@link EventJson#valueNode}), so a string, an exact number ({@code
 * 1.0}, {@code 1E+3}), a boolean or {@code null} comes back with its type and scale; the associated data is the
 * customer id, so a ciphertext whose subject was edited does not open. Because the text names its subject, a value
 * folded into another identity's profile by a merge decrypts with the key of the customer it was written for.
 *
 * <p>{@link AttributeValue#NULL} (a removal) is <b>not</b> encrypted: it carries no personal data, and keeping it
 * in clear keeps "is this a removal / a no-op" checks working on stored events without a key. Every other value
 * is encrypted, including text that already looks like a ciphertext (it decrypts back to that text).
 *
 * <p>{@link #decrypt} returns a value that is not in the ciphertext form unchanged: items written before
 * encryption was turned on stay readable. (A plaintext string that itself starts with {@value #PREFIX} and was
 * stored before encryption cannot be told apart and fails to decrypt; the re-encryption migration will find
 * these.)
 *
 * <p>{@link #protect} is what intake calls: it encrypts when {@code asof.privacy.enabled} (the default) and passes
 * the event through otherwise; reading ({@link #decrypt}) works either way.
 */
public final class ValueCipher {

    /** Marks an encrypted value ({@link EncryptedValues#PREFIX}). */
    public static final String PREFIX = EncryptedValues.PREFIX;

    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNBASE64 = Base64.getUrlDecoder();

    private final SubjectKeys keys;
    private final boolean encryptNewValues;

    /** A cipher that encrypts on {@link #protect} (as with {@code asof.privacy.enabled=true}). */
    public ValueCipher(SubjectKeys keys) {
        this(keys, true);
    }

    /**
     * @param encryptNewValues whether {@link #protect} encrypts ({@code asof.privacy.enabled}); {@link #encrypt} and
     *     {@link #decrypt} work either way
     */
    public ValueCipher(SubjectKeys keys, boolean encryptNewValues) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.encryptNewValues = encryptNewValues;
    }

    /** Whether {@link #protect} encrypts. */
    public boolean encryptsNewValues() {
        return encryptNewValues;
    }

    /**
     * {@code event} as intake publishes it: every attribute value encrypted for the event's customer when
     * encryption is on, the event unchanged when it is off.
     */
    public EventEnvelope protect(EventEnvelope event) {
        return encryptNewValues ? encrypt(event) : event;
    }

    /**
     * {@code event} with every attribute value encrypted for its customer.
     *
     * @throws ErasedBeforeException the customer was erased and the event is stamped at or before the erasure: a
     *     late replay must not bring erased data back (a returning customer's events come after it)
     */
    public EventEnvelope encrypt(EventEnvelope event) {
        boolean[] checked = {false};
        EventEnvelope encrypted = event.withValues(value -> {
            if (!checked[0] && !(value instanceof AttributeValue.Null)) {
                Instant erased = keys.forEncryption(event.customerId()).previousErasure();
                if (erased != null && !event.timestampUtc().isAfter(erased)) {
                    throw new ErasedBeforeException(event.customerId(), erased);
                }
                checked[0] = true;
            }
            return encrypt(event.customerId(), value);
        });
        // an event without a value (a removal, a merge, an unmerge) is refused the same way (a probe got removals
        // and back-dated merges of erased customers taken); the erasure's own event is what records it
        Set<String> identities = new LinkedHashSet<>();
        if (!checked[0] && !(event.payload() instanceof ProfileErased)) {
            identities.add(event.customerId());
        }
        // a merge or unmerge changes two identities' profiles: neither may have been erased after its time (each
        // read once: one of them is the envelope's customer)
        if (event.payload() instanceof ProfileMerged merged) {
            identities.add(merged.mergedInto());
            identities.add(merged.mergedFrom());
        } else if (event.payload() instanceof ProfileUnmerged unmerged) {
            identities.add(unmerged.mergedInto());
            identities.add(unmerged.mergedFrom());
        }
        identities.forEach(identity -> refuseIfErasedBefore(event, identity));
        return encrypted;
    }

    private void refuseIfErasedBefore(EventEnvelope event, String customerId) {
        Instant erased = keys.lastErasure(customerId);
        if (erased != null && !event.timestampUtc().isAfter(erased)) {
            throw new ErasedBeforeException(customerId, erased);
        }
    }

    /**
     * {@code value} as an erasure leaves it in the log: a redaction marker naming its subject ({@link
     * EncryptedValues#erased}); a removal ({@link AttributeValue#NULL}) stays as it is.
     */
    public static AttributeValue redact(String customerId, AttributeValue value) {
        if (value instanceof AttributeValue.Null) {
            return value;
        }
        String subject = value instanceof AttributeValue.Text text ? EncryptedValues.subject(text.value()) : null;
        return AttributeValue.text(EncryptedValues.erased(subject == null ? customerId : subject));
    }

    /**
     * This instance saw {@code customerId}'s erasure begin (its erasure event on the topic): its values are opened
     * with a key read past the cache for a while, so they stop opening as soon as the erasure destroys the key
     * ({@link SubjectKeys#erasureSeen}).
     */
    public void erasureSeen(String customerId) {
        keys.erasureSeen(customerId);
    }

    /**
     * When {@code customerId}'s data key was last destroyed, and whether an erasure of it is under way (a key it
     * destroyed is still kept aside for its re-encryption step), in one read of the key table.
     */
    public SubjectKeys.ErasureStatus erasureStatus(String customerId) {
        return keys.erasureStatus(customerId);
    }

    /** When {@code customerId}'s data key was last destroyed (it was erased), or {@code null}. */
    public Instant erasedAt(String customerId) {
        return keys.lastErasure(customerId);
    }

    /** {@code event} with every encrypted value decrypted. */
    public EventEnvelope decrypt(EventEnvelope event) {
        return event.withValues(this::decrypt);
    }

    /** {@code event} with every encrypted value decrypted. */
    public RecordedEvent decrypt(RecordedEvent event) {
        EventEnvelope decrypted = decrypt(event.event());
        return decrypted == event.event() ? event : new RecordedEvent(decrypted, event.recordedAt());
    }

    /** {@code state} with every encrypted value decrypted. */
    public IdentityState decrypt(IdentityState state) {
        return state.withValues(this::decrypt);
    }

    /** {@code value} encrypted for {@code customerId}; {@link AttributeValue#NULL} is returned as it is. */
    public AttributeValue encrypt(String customerId, AttributeValue value) {
        return encrypt(customerId, value, true);
    }

    /**
     * {@code value} encrypted for {@code customerId} with the key it has, or a first key if it never had one, but
     * never a new key after an erasure: for values written before encryption was turned on, which are the erasure's
     * to redact ({@link SubjectKeys#forEncryptionUnlessErased}).
     *
     * @throws SubjectErasedException the customer was erased (whether or not it came back since)
     */
    public AttributeValue encryptUnlessErased(String customerId, AttributeValue value) {
        return encrypt(customerId, value, false);
    }

    private AttributeValue encrypt(String customerId, AttributeValue value, boolean afterErasure) {
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(value, "value");
        if (value instanceof AttributeValue.Null) {
            return value;
        }
        byte[] plaintext = EventJson.mapper().writeValueAsBytes(EventJson.valueNode(value));
        try {
            SubjectKeys.LiveKey key =
                    afterErasure ? keys.forEncryption(customerId) : keys.forEncryptionUnlessErased(customerId);
            byte[] ciphertext = key.aead().encrypt(plaintext, SubjectKeys.associatedData(customerId));
            return new AttributeValue.Text(EncryptedValues.text(customerId, BASE64.encodeToString(ciphertext)));
        } catch (GeneralSecurityException e) {
            throw new PrivacyException("cannot encrypt a value of customer " + customerId, e);
        }
    }

    /**
     * The value {@code value} was encrypted from, or {@code value} itself when it is not a ciphertext. The key is
     * that of the subject the ciphertext names.
     *
     * @throws SubjectErasedException the subject's key (of the ciphertext's generation) was destroyed
     * @throws PrivacyException the ciphertext does not open with the subject's key (altered, or its subject
     *     edited), or the key cannot be unwrapped
     */
    public AttributeValue decrypt(AttributeValue value) {
        String erasedSubject = EncryptedValues.erasedSubject(value);
        if (erasedSubject != null) {
            Instant erased = keys.lastErasure(erasedSubject);
            throw new SubjectErasedException(erasedSubject, erased == null ? Instant.EPOCH : erased);
        }
        if (!isCiphertext(value)) {
            return value;
        }
        String text = ((AttributeValue.Text) value).value();
        String customerId = EncryptedValues.subject(text);
        if (customerId == null) {
            throw new PrivacyException("a value is marked as encrypted but names no customer");
        }
        byte[] ciphertext;
        try {
            ciphertext = UNBASE64.decode(EncryptedValues.ciphertext(text));
        } catch (IllegalArgumentException e) {
            throw new PrivacyException(
                    "a value of customer " + customerId + " is marked as encrypted but is not valid base64url");
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

    /**
     * Re-encrypts, under {@code customerId}'s current key, each value given to the returned function that is a
     * ciphertext of that customer made with one of its retired keys ({@link SubjectKeys#retiredKeys}, read once here):
     * a returning customer's value that a replica encrypted with a key it still had cached after the erasure destroyed
     * it. Anything else comes back as it is. Only the erasure uses this, for values stamped after it, before it purges
     * the retired keys.
     */
    public UnaryOperator<AttributeValue> retiredReencryption(String customerId) {
        List<com.google.crypto.tink.Aead> retiredKeys = keys.retiredKeys(customerId);
        byte[] associatedData = SubjectKeys.associatedData(customerId);
        return value -> {
            if (retiredKeys.isEmpty() || !isCiphertext(value)) {
                return value;
            }
            String text = ((AttributeValue.Text) value).value();
            if (!customerId.equals(EncryptedValues.subject(text))) {
                return value;
            }
            byte[] ciphertext;
            try {
                ciphertext = UNBASE64.decode(EncryptedValues.ciphertext(text));
            } catch (IllegalArgumentException notBase64) {
                return value;
            }
            for (com.google.crypto.tink.Aead retired : retiredKeys) {
                byte[] plaintext;
                try {
                    plaintext = retired.decrypt(ciphertext, associatedData);
                } catch (GeneralSecurityException notThisKey) {
                    continue;
                }
                try {
                    return encrypt(
                            customerId, EventJson.value(EventJson.mapper().readTree(plaintext)));
                } catch (JacksonException | IllegalArgumentException e) {
                    throw new PrivacyException("a decrypted value of customer " + customerId + " is not a JSON scalar");
                }
            }
            return value;
        };
    }

    /** Whether {@code value} is in the ciphertext form. */
    public static boolean isCiphertext(AttributeValue value) {
        return EncryptedValues.isCiphertext(value);
    }

    /**
     * The exact length, in characters (all ASCII, so also in UTF-8 bytes), of the ciphertext text of a value whose
     * canonical JSON is {@code plaintextJsonBytes} bytes long, for {@code customerId}.
     */
    public static int ciphertextLength(int plaintextJsonBytes, String customerId) {
        return EncryptedValues.textLength(plaintextJsonBytes, customerId.length());
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
