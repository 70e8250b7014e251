package dev.asof.reconstruction.resilience;

import java.time.Duration;

/**
 * The end of a request's time budget. Work checks it before each call to DynamoDB, so work whose caller already
 * answered 503 stops at its next call instead of running on.
 */
public final class Deadline {

    private static final Deadline NONE = new Deadline(Long.MAX_VALUE, false);

    private final long endNanos;
    private final boolean bounded;

    private Deadline(long endNanos, boolean bounded) {
        this.endNanos = endNanos;
        this.bounded = bounded;
    }

    /** A deadline {@code budget} from now. */
    public static Deadline after(Duration budget) {
        return new Deadline(System.nanoTime() + budget.toNanos(), true);
    }

    /** No deadline: for background work that has no caller waiting. */
    public static Deadline none() {
        return NONE;
    }

    /** Whether the budget is spent. */
    public boolean passed() {
        return bounded && System.nanoTime() - endNanos >= 0;
    }

    /** Throws {@link Exceeded} when the budget is spent. */
    public void check() {
        if (passed()) {
            throw new Exceeded();
        }
    }

    /** The budget was spent before the work finished. */
    public static final class Exceeded extends RuntimeException {
        Exceeded() {
            super("the time budget of the request is spent", null, false, false);
        }
    }
}
