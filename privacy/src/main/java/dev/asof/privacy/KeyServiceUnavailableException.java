package dev.asof.privacy;

/**
 * The key service that holds the key-encryption key (AWS KMS) did not answer in time or refused the call: no data
 * key could be wrapped or unwrapped, nothing was written, and the request may be retried. Answered {@code 503}.
 *
 * <p>Deliberately not a {@link PrivacyException}: that one says a key or value cannot be used (erased, foreign,
 * altered), which callers such as the erasure scan act on; an outage says nothing about the value and must fail the
 * step instead.
 */
public class KeyServiceUnavailableException extends RuntimeException {

    public KeyServiceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
