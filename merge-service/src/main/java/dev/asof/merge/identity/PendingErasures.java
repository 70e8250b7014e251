package dev.asof.merge.identity;

import java.util.Optional;

/**
 * Erasures requested and not finished, as merges and unmerges need to know them: an identity being erased takes no
 * merge or unmerge until its erasure ends (then it is erased, and {@link ErasedIdentities} decides). Implemented by
 * the erasure package, which depends on this one.
 */
@FunctionalInterface
public interface PendingErasures {

    /** The id of an unfinished erasure of {@code identity} (requested for it, or covering it), if there is one. */
    Optional<String> of(String identity);
}
