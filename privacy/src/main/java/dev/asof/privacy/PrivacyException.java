package dev.asof.privacy;

/**
 * A value or a data key that cannot be used: a stored data key the configured key-encryption key cannot unwrap,
 * a ciphertext that does not open with its subject's key (written for another subject, or altered), or a
 * ciphertext for a subject that has no key. Messages name customer ids and tables, never values or keys.
 */
public class PrivacyException extends RuntimeException {

    public PrivacyException(String message) {
        super(message);
    }

    public PrivacyException(String message, Throwable cause) {
        super(message, cause);
    }
}
