package dev.asof.support.storage;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.Map;

/**
 * The retry of a DynamoDB batch call ({@code BatchGetItem}, {@code BatchWriteItem}) while the store leaves part of it
 * unprocessed (throttled): the decorated call answers what is left, and is called again while that is not empty, 5
 * times at most, 40 ms doubling apart. Exceptions are not retried here (the SDK retried them already).
 */
public final class UnprocessedRetries {

    private UnprocessedRetries() {}

    /** A retry named {@code name} for a call that answers the part left unprocessed (empty: all done). */
    public static <T extends Map<?, ?>> Retry of(String name) {
        return Retry.of(
                name,
                RetryConfig.<T>custom()
                        .maxAttempts(5)
                        .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(40), 2))
                        .retryOnResult(left -> !left.isEmpty())
                        .retryOnException(failed -> false)
                        .build());
    }
}
