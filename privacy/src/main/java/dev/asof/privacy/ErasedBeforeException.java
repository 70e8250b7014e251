package dev.asof.privacy;

import java.time.Instant;

/**
 * An event for an erased customer stamped at or before the erasure: refused ({@code 409 erased}), so a late replay
 * cannot bring erased data back. Events stamped after the erasure belong to a returning customer and are taken.
 */
public final class ErasedBeforeException extends PrivacyException {

    private final String customerId;
    private final Instant erasedAt;

    public ErasedBeforeException(String customerId, Instant erasedAt) {
        super("customer " + customerId + " was erased at " + erasedAt
                + "; an event stamped at or before the erasure cannot be taken");
        this.customerId = customerId;
        this.erasedAt = erasedAt;
    }

    public String customerId() {
        return customerId;
    }

    public Instant erasedAt() {
        return erasedAt;
    }
}
