package dev.asof.merge.identity;

import dev.asof.events.ProfileErased;
import dev.asof.events.RecordedEvent;
import dev.asof.privacy.SubjectErasedException;
import dev.asof.privacy.ValueCipher;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * Reads of an erased identity answer {@code 410 erased} (docs/privacy.md): at any time before its erasure, and at
 * any time after it unless the customer came back (an event of its own, other than an erasure, stamped after it).
 */
public final class ErasedIdentities {

    private final ValueCipher cipher;

    public ErasedIdentities(ValueCipher cipher) {
        this.cipher = cipher;
    }

    /**
     * @param group the events read for the identity (its own among them)
     * @throws SubjectErasedException when {@code customerId} was erased and the read must answer {@code 410}
     */
    public void check(String customerId, Instant validAt, List<RecordedEvent> group) {
        check(
                customerId,
                validAt,
                erased -> group.stream()
                        .anyMatch(e -> e.event().customerId().equals(customerId)
                                && !(e.event().payload() instanceof ProfileErased)
                                && e.event().timestampUtc().isAfter(erased)));
    }

    /**
     * Like {@link #check(String, Instant, List)}, asking {@code returnedAfter} whether the customer has an event of
     * its own other than an erasure stamped after a time (the erasure's), so a read need not hold its whole history.
     *
     * @throws SubjectErasedException when {@code customerId} was erased and the read must answer {@code 410}
     */
    public void check(String customerId, Instant validAt, Predicate<Instant> returnedAfter) {
        Instant erased = cipher.erasedAt(customerId);
        if (erased == null) {
            return;
        }
        if (!validAt.isAfter(erased) || !returnedAfter.test(erased)) {
            throw new SubjectErasedException(customerId, erased);
        }
    }
}
