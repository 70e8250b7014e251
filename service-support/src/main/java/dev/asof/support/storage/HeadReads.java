package dev.asof.support.storage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * What a point-in-time read of one identity needs before (or beside) its log ranges, in one {@code BatchGetItem}:
 * the view's head, the identities ever merged into it, and optionally one snapshot whose key the reader already
 * knows. One request instead of three: each round trip to the store costs more than the few items it returns.
 */
public class HeadReads {

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
        // one key per table, so one item per table at most (unprocessed keys asked for again: BatchCalls)
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        BatchCalls.get(dynamo, asked, found::put, "keys of " + customerId);
        Map<String, AttributeValue> view = found.get(views);
        Map<String, AttributeValue> snapshot = found.get(snapshots);
        return new Result(
                view == null ? Optional.empty() : Optional.of(ProfileViews.head(view)),
                IdentityLinks.decode(found.get(links)),
                snapshot == null ? Optional.empty() : Snapshots.decode(customerId, snapshot));
    }
}
