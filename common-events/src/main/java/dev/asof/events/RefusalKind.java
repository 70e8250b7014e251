package dev.asof.events;

/**
 * Why {@link ProfileDecider} refused a command. The wire names are stable: the HTTP edge turns them into the
 * {@code /problems/<wire name>} type of its problem response, with {@link #status()}.
 */
public enum RefusalKind {
    /** A or B has no event at all. */
    PROFILE_NOT_FOUND("profile-not-found", 404),
    /** A = B: an identity cannot be merged into, or unmerged from, itself. */
    SELF_MERGE("self-merge", 422),
    /** Merge: at the effective time A is already merged (into B or anyone else); unmerge it first. */
    ALREADY_MERGED("already-merged", 409),
    /** Merge: at the effective time B resolves to A, directly or through a chain, so the merge would close a cycle. */
    MERGE_CYCLE("merge-cycle", 409),
    /** Unmerge: at the effective time A is not merged into B. */
    NOT_MERGED("not-merged", 409);

    private final String wireName;
    private final int status;

    RefusalKind(String wireName, int status) {
        this.wireName = wireName;
        this.status = status;
    }

    /** The stable name, e.g. {@code merge-cycle}. */
    public String wireName() {
        return wireName;
    }

    /** The HTTP status the refusal is meant to be answered with. */
    public int status() {
        return status;
    }
}
