package dev.asof.reconstruction.resilience;

import java.time.Duration;

/** DynamoDB did not answer in time, failed, or the circuit breaker is open: the caller should retry later. */
public class ProfileStoreUnavailableException extends RuntimeException {

    private final Duration retryAfter;

    public ProfileStoreUnavailableException(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    /** When a retry may succeed. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
