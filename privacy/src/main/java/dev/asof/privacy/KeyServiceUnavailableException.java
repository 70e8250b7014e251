package dev.asof.privacy;

/**
 * The key service that holds the key-encryption key (AWS KMS) did not answer in time or refused the call: no data
 * key could be wrapped or unwrapped, nothing was written, and the request may be retried. Answered {@code 503}.
 */
public class KeyServiceUnavailableException extends PrivacyException {

    public KeyServiceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
