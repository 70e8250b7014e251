package dev.asof.support.storage;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * DynamoDB's batch calls ({@code BatchGetItem}, {@code BatchWriteItem}) done to the end: what the store leaves
 * unprocessed (throttled) is asked for again, after 40, 80, 160 and 320 ms, {@value #ATTEMPTS} calls at most, and
 * then the call fails. Only unprocessed items are asked for again: a call that fails was already retried by the SDK,
 * and its exception is the answer. Interrupted while waiting, it throws a {@link
 * java.util.concurrent.CancellationException} with the interrupt kept.
 */
public final class BatchCalls {

    /** Calls of one batch before what is still unprocessed fails it. */
    public static final int ATTEMPTS = 5;

    private static final Retry GETS = retry("dynamodb-batch-get-unprocessed");
    private static final Retry WRITES = retry("dynamodb-batch-write-unprocessed");

    private BatchCalls() {}

    /**
     * Reads {@code asked} (at most 100 keys in all), handing every item found to {@code found} with its table.
     *
     * @param what what is read, for the failure's message
     * @throws IllegalStateException keys still unprocessed after {@value #ATTEMPTS} calls
     */
    public static void get(
            DynamoDbClient dynamo,
            Map<String, KeysAndAttributes> asked,
            BiConsumer<String, Map<String, AttributeValue>> found,
            String what) {
        AtomicReference<Map<String, KeysAndAttributes>> unprocessed = new AtomicReference<>(asked);
        Map<String, KeysAndAttributes> left = Retry.decorateSupplier(GETS, () -> {
                    BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(unprocessed.get()));
                    response.responses().forEach((table, items) -> items.forEach(item -> found.accept(table, item)));
                    unprocessed.set(response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of());
                    return unprocessed.get();
                })
                .get();
        if (!left.isEmpty()) {
            throw unprocessed(what, left.keySet());
        }
    }

    /**
     * Writes {@code asked} (at most 25 requests in all).
     *
     * @param what what is written, for the failure's message
     * @throws IllegalStateException requests still unprocessed after {@value #ATTEMPTS} calls
     */
    public static void write(DynamoDbClient dynamo, Map<String, List<WriteRequest>> asked, String what) {
        AtomicReference<Map<String, List<WriteRequest>>> unprocessed = new AtomicReference<>(asked);
        Map<String, List<WriteRequest>> left = Retry.decorateSupplier(WRITES, () -> {
                    BatchWriteItemResponse response = dynamo.batchWriteItem(b -> b.requestItems(unprocessed.get()));
                    unprocessed.set(response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of());
                    return unprocessed.get();
                })
                .get();
        if (!left.isEmpty()) {
            throw unprocessed(what, left.keySet());
        }
    }

    private static IllegalStateException unprocessed(String what, Object tables) {
        return new IllegalStateException(
                "DynamoDB left " + what + " unprocessed " + ATTEMPTS + " times in a row: " + tables);
    }

    private static <T extends Map<?, ?>> Retry retry(String name) {
        return Retry.of(
                name,
                RetryConfig.<T>custom()
                        .maxAttempts(ATTEMPTS)
                        .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(40), 2))
                        .retryOnResult(left -> !left.isEmpty())
                        .retryOnException(failed -> false)
                        .build());
    }
}
