package dev.asof.events;

/**
 * The wire form of an encrypted attribute value, as far as the event schema needs to know it: a text value
 * {@value #PREFIX}{@code <customer id>:<base64url ciphertext>}. The cipher itself (per-subject Tink keys) lives in
 * the {@code privacy} module; this class only lets the validator and the readers recognise a ciphertext and bound
 * its size without any key.
 *
 * <p>The customer id in the text is the data subject whose key encrypted the value (the associated data of the
 * ciphertext), so a value folded into another identity's profile by a merge still names its own subject. Ids are
 * in clear everywhere else in the event, so this reveals nothing new. Base64url has no {@code ':'}, so the subject
 * is everything between the prefix and the last {@code ':'}.
 */
public final class EncryptedValues {

    /** Marks an encrypted value; {@code v1}: Tink AES-256-GCM, canonical JSON plaintext, customer id as AD. */
    public static final String PREFIX = "asof:enc:v1:";

    /**
     * Marks a value redacted by an erasure: {@value #ERASED_PREFIX}{@code <customer id>}. It replaces the value (or
     * its ciphertext) in the log, keeping the event's structure; a reader that meets it answers that the subject
     * was erased.
     */
    public static final String ERASED_PREFIX = "asof:erased:v1:";

    /** Tink's output prefix (version byte and key id) plus the AES-GCM nonce and tag. */
    private static final int AEAD_OVERHEAD = 5 + 12 + 16;

    /** The longest ciphertext text: a value of {@link AttributeValue#MAX_JSON_BYTES} for the longest id. */
    public static final int MAX_TEXT_LENGTH = textLength(AttributeValue.MAX_JSON_BYTES, Identifiers.MAX_LENGTH);

    /**
     * The most bytes an event with encrypted values may take as JSON. Encryption grows a value by about a third
     * plus a fixed overhead, so an event within {@link EventValidator#MAX_EVENT_BYTES} as plaintext may exceed it
     * once encrypted; this bound still leaves a log item room within DynamoDB's 400 KB. Intake checks the encrypted
     * event against it before answering, so the log writer never meets one it cannot store.
     */
    public static final int MAX_EVENT_BYTES = 360 * 1024;

    private EncryptedValues() {}

    /** Whether {@code value} is in the ciphertext form. */
    public static boolean isCiphertext(AttributeValue value) {
        return value instanceof AttributeValue.Text text && isCiphertext(text.value());
    }

    /** Whether {@code text} is in the ciphertext form (by its prefix only; it may still fail to open). */
    public static boolean isCiphertext(String text) {
        return text.startsWith(PREFIX);
    }

    /**
     * The exact length, in characters (all ASCII, so also in UTF-8 bytes), of the ciphertext text of a value whose
     * canonical JSON is {@code plaintextJsonBytes} bytes long, for a subject id of {@code subjectLength} characters.
     */
    public static int textLength(int plaintextJsonBytes, int subjectLength) {
        if (plaintextJsonBytes < 0 || subjectLength < 0) {
            throw new IllegalArgumentException("negative length");
        }
        long bytes = (long) plaintextJsonBytes + AEAD_OVERHEAD;
        return Math.toIntExact(PREFIX.length() + subjectLength + 1 + (4 * bytes + 2) / 3);
    }

    /** The redaction marker of a value of {@code subject}. */
    public static String erased(String subject) {
        return ERASED_PREFIX + subject;
    }

    /** The subject a redaction marker names, or {@code null} when {@code value} is not one. */
    public static String erasedSubject(AttributeValue value) {
        return value instanceof AttributeValue.Text text && text.value().startsWith(ERASED_PREFIX)
                ? text.value().substring(ERASED_PREFIX.length())
                : null;
    }

    /** Whether an erasure redacted a value of {@code event} (it holds a redaction marker). */
    public static boolean redacted(EventEnvelope event) {
        boolean[] found = {false};
        event.withValues(value -> {
            found[0] |= erasedSubject(value) != null;
            return value;
        });
        return found[0];
    }

    /** The ciphertext text for {@code subject} and the base64url (unpadded) {@code ciphertext}. */
    public static String text(String subject, String base64Ciphertext) {
        return PREFIX + subject + ":" + base64Ciphertext;
    }

    /**
     * The data subject named by a ciphertext text, or {@code null} when {@code text} is not in the form.
     */
    public static String subject(String text) {
        int end = text.lastIndexOf(':');
        if (!isCiphertext(text) || end <= PREFIX.length()) {
            return null;
        }
        return text.substring(PREFIX.length(), end);
    }

    /** The base64url ciphertext of a ciphertext text, or {@code null} when {@code text} is not in the form. */
    public static String ciphertext(String text) {
        if (subject(text) == null) {
            return null;
        }
        return text.substring(text.lastIndexOf(':') + 1);
    }
}
