package dev.asof.reconstruction.history;

/** A timeline would read more member identities than {@code asof.history.max-members} allows. */
public class TooManyMembersException extends RuntimeException {

    private final transient String customerId;
    private final int maxMembers;

    TooManyMembersException(String customerId, int maxMembers) {
        super("more than " + maxMembers + " identities were merged into the asked one");
        this.customerId = customerId;
        this.maxMembers = maxMembers;
    }

    public String customerId() {
        return customerId;
    }

    public int maxMembers() {
        return maxMembers;
    }
}
