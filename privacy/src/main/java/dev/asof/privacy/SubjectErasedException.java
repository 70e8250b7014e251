package dev.asof.privacy;

import java.time.Instant;

/**
 * The data key a value was encrypted with was destroyed (the data subject was erased): the value can never be
 * read again. Carries the subject's customer id and the time of the erasure.
 */
public final class SubjectErasedException extends PrivacyException {

    private final String customerId;
    private final Instant erasedAt;

    public SubjectErasedException(String customerId, Instant erasedAt) {
        super("the data key of customer " + customerId + " was destroyed at " + erasedAt
                + " (the data subject was erased); values encrypted with it cannot be read");
        this.customerId = customerId;
        this.erasedAt = erasedAt;
    }

    /** The erased data subject. */
    public String customerId() {
        return customerId;
    }

    /** When its data key was destroyed. */
    public Instant erasedAt() {
        return erasedAt;
    }
}
