package dev.asof.stack;

import java.time.Duration;
import java.util.Optional;

/**
 * When the launcher restarts a child that died on its own: after an exponential backoff ({@code firstBackoff},
 * doubled per rapid failure, at most {@code maxBackoff}), and only while it has failed fewer than
 * {@code maxRapidFailures} times in a row. A failure is rapid when the child ran less than {@code stableUptime};
 * a child that stayed up that long starts counting from zero again. Pure: the caller passes the uptime.
 */
record RestartPolicy(Duration firstBackoff, Duration maxBackoff, Duration stableUptime, int maxRapidFailures) {

    /** Restarts in a row before the launcher gives up; {@code --restart-limit} changes it. */
    static final int DEFAULT_MAX_RAPID_FAILURES = 5;

    /** 1 s, 2 s, 4 s ... 30 s; a minute up counts as recovered, longer than any child needs to start. */
    static final RestartPolicy DEFAULTS = new RestartPolicy(
            Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1), DEFAULT_MAX_RAPID_FAILURES);

    RestartPolicy {
        if (firstBackoff.isNegative() || firstBackoff.isZero()) {
            throw new IllegalArgumentException("firstBackoff must be positive, not " + firstBackoff);
        }
        if (maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException(
                    "maxBackoff " + maxBackoff + " must not be below firstBackoff " + firstBackoff);
        }
        if (stableUptime.isNegative() || stableUptime.isZero()) {
            throw new IllegalArgumentException("stableUptime must be positive, not " + stableUptime);
        }
        if (maxRapidFailures < 0) {
            throw new IllegalArgumentException("maxRapidFailures must not be negative, not " + maxRapidFailures);
        }
    }

    /** The defaults with another limit; 0 means a child that dies stops the stack, as before restarts existed. */
    static RestartPolicy withMaxRapidFailures(int maxRapidFailures) {
        return new RestartPolicy(
                DEFAULTS.firstBackoff(), DEFAULTS.maxBackoff(), DEFAULTS.stableUptime(), maxRapidFailures);
    }

    /**
     * What to do about a child that exited unexpectedly: start it again after {@code restartAfter}, or, when that is
     * empty, give up and stop the stack. {@code rapidFailures} counts the failures in a row, this one included.
     */
    record Decision(int rapidFailures, Optional<Duration> restartAfter) {}

    /**
     * @param rapidFailuresBefore the rapid failures in a row before this exit (the last decision's count, or 0)
     * @param uptime how long the child ran before this exit
     */
    Decision afterExit(int rapidFailuresBefore, Duration uptime) {
        int rapidFailures = uptime.compareTo(stableUptime) >= 0 ? 1 : rapidFailuresBefore + 1;
        return new Decision(
                rapidFailures,
                rapidFailures > maxRapidFailures ? Optional.empty() : Optional.of(backoff(rapidFailures)));
    }

    private Duration backoff(int rapidFailures) {
        Duration backoff = firstBackoff;
        for (int i = 1; i < rapidFailures && backoff.compareTo(maxBackoff) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
    }
}
