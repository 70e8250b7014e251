package dev.asof.events;

import java.util.Objects;

/**
 * The latest merge or unmerge of an identity: where it points, and since when.
 *
 * @param mergedInto the identity it was merged into (or, after an unmerge, had been)
 * @param active {@code true} after a merge, {@code false} after an unmerge
 * @param version when, in the total order of changes
 */
public record MergeLink(String mergedInto, boolean active, Version version) {

    public MergeLink {
        Objects.requireNonNull(mergedInto, "mergedInto");
        Objects.requireNonNull(version, "version");
    }
}
