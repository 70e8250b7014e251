package dev.asof.merge.identity;

import dev.asof.privacy.SubjectErasedException;
import dev.asof.privacy.SubjectKeys;
import dev.asof.privacy.ValueCipher;
import java.time.Instant;
import java.util.function.Predicate;

/**
 * Reads of an erased identity answer {@code 410 erased} (docs/privacy.md): at any time before its erasure, at any
 * time after it unless the customer came back (an event of its own, other than an erasure, stamped after it), and at
 * any time at all while the erasure runs (a destroyed key still kept aside), as reconstruction's reads do.
 */
public final class ErasedIdentities {

    private final ValueCipher cipher;

    public ErasedIdentities(ValueCipher cipher) {
        this.cipher = cipher;
    }

    /**
     * Whether a read of {@code customerId} at valid time {@code validAt} must answer {@code 410}: it was erased, and
     * either {@code validAt} is not after the erasure or it has not come back since ({@code returnedAfter} says
     * whether it has an event of its own other than an erasure stamped after a time, the erasure's).
     *
     * @throws SubjectErasedException when {@code customerId} was erased and the read must answer {@code 410}
     */
    public void check(String customerId, Instant validAt, Predicate<Instant> returnedAfter) {
        SubjectKeys.ErasureStatus status = cipher.erasureStatus(customerId);
        Instant erased = status.lastErasure();
        if (erased == null) {
            return;
        }
        // an outside probe read a returning customer's identity 200 here while the erasure ran and every
        // reconstruction read of it answered 410
        if (status.underWay() || !validAt.isAfter(erased) || !returnedAfter.test(erased)) {
            throw new SubjectErasedException(customerId, erased);
        }
    }
}
