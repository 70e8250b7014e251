package dev.asof.support.storage;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * What a point-in-time read of one identity needs before (or beside) its log ranges, in one {@code BatchGetItem}:
 * the view's head, the identities ever merged into it, and optionally one snapshot whose key the reader already
 * knows. One request instead of three: each round trip to the store costs more than the few items it returns.
 */
public class HeadReads {

    /** Unprocessed keys are asked for again this many times before the read fails. */
    private static final int ATTEMPTS = 5;

    /**
     * Asks again for what a batch left unprocessed, after 40, 80, 160 and 320 ms. Only unprocessed keys are asked
     * for again: a call that fails was already retried by the SDK, and its exception is the answer. Interrupted
     * while waiting, it throws a {@link java.util.concurrent.CancellationException} with the interrupt kept.
     */
    private final Retry unprocessedKeys = Retry.of(
            "head-reads-unprocessed-keys",
            RetryConfig.<Map<String, KeysAndAttributes>>custom()
                    .maxAttempts(ATTEMPTS)
                    .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(40), 2))
                    .retryOnResult(left -> !left.isEmpty())
                    .retryOnException(failed -> false)
                    .build());

    private final DynamoDbClient dynamo;
    private final String views;
    private final String links;
    private final String snapshots;

    public HeadReads(DynamoDbClient dynamo, AsofTables tables) {
        this.dynamo = dynamo;
        this.views = tables.profileView();
        this.links = tables.identityLinks();
        this.snapshots = tables.snapshots();
    }

    /**
     * @param head the view's head, read consistently; empty when the identity has no view (no event logged yet)
     * @param mergedInto every identity ever merged directly into this one (read consistently), in string order
     * @param snapshot the snapshot asked for; empty when not asked for, missing, or not trusted (another state
     *     schema version, or another identity's state)
     */
    public record Result(
            Optional<ProfileViews.Head> head, List<String> mergedInto, Optional<Snapshots.Snapshot> snapshot) {}

    /**
     * Reads the head and links of {@code customerId} and, when {@code snapshotValidTo} is not {@code null}, its
     * snapshot with the rectangle ({@code snapshotValidTo}, {@code snapshotRecordedTo}).
     */
    public Result read(String customerId, Long snapshotValidTo, long snapshotRecordedTo) {
        Map<String, KeysAndAttributes> asked = new HashMap<>();
        Map<String, AttributeValue> viewKey = Map.of(AsofTables.CUSTOMER_ID, EventLog.s(customerId));
        Map<String, AttributeValue> linksKey = IdentityLinks.key(customerId);
        asked.put(
                views,
                KeysAndAttributes.builder()
                        .keys(viewKey)
                        .consistentRead(true)
                        .projectionExpression(ProfileViews.HEAD_ATTRIBUTES)
                        .build());
        asked.put(
                links,
                KeysAndAttributes.builder().keys(linksKey).consistentRead(true).build());
        if (snapshotValidTo != null) {
            asked.put(
                    snapshots,
                    KeysAndAttributes.builder()
                            .keys(Snapshots.itemKey(customerId, snapshotValidTo, snapshotRecordedTo))
                            .build());
        }
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        AtomicReference<Map<String, KeysAndAttributes>> unprocessed = new AtomicReference<>(asked);
        Map<String, KeysAndAttributes> left = Retry.decorateSupplier(unprocessedKeys, () -> {
                    BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(unprocessed.get()));
                    response.responses().forEach((table, items) -> {
                        if (!items.isEmpty()) {
                            found.put(table, items.get(0));
                        }
                    });
                    unprocessed.set(response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of());
                    return unprocessed.get();
                })
                .get();
        if (!left.isEmpty()) {
            throw new IllegalStateException("DynamoDB left keys of " + customerId + " unprocessed " + ATTEMPTS
                    + " times in a row: " + left.keySet());
        }
        Map<String, AttributeValue> view = found.get(views);
        Map<String, AttributeValue> snapshot = found.get(snapshots);
        return new Result(
                view == null ? Optional.empty() : Optional.of(ProfileViews.head(view)),
                IdentityLinks.decode(found.get(links)),
                snapshot == null ? Optional.empty() : Snapshots.decode(customerId, snapshot));
    }
}
