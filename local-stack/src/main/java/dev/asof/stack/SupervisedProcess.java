package dev.asof.stack;

/** A child of the local stack as the {@link Supervisor} watches it. */
interface SupervisedProcess {

    /** The operating-system process. */
    ProcessHandle handle();

    /**
     * The exit code, once {@link #handle()} is no longer alive (waiting the moment until the JVM has collected it).
     * Above 128: killed by signal (code - 128).
     */
    int exitValue();

    /** Whether it serves requests, so the console can say when a restarted child is back. */
    boolean isReady();

    /** Stops it in order (SIGTERM, then SIGKILL after a grace period). */
    void close();
}
