package dev.asof.support.storage;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Which identities were ever merged into which, written by the log writer for every merge and unmerge: one item
 * per surviving identity with the set of identities ever merged into it, so a reader gets them with one get (or
 * within the batch of {@link HeadReads}). A reader finds every identity whose history may make up a profile by
 * walking it from the profile's identity; whether a link is active at a given time is decided by the fold, never by
 * this table.
 */
public class IdentityLinks {

    private final DynamoDbClient dynamo;
    private final String table;

    public IdentityLinks(DynamoDbClient dynamo, AsofTables tables) {
        this.dynamo = dynamo;
        this.table = tables.identityLinks();
    }

    /** Records that {@code mergedFrom} was (at some time) merged into {@code mergedInto}. Idempotent: a set add. */
    public void record(String mergedInto, String mergedFrom) {
        dynamo.updateItem(b -> b.tableName(table)
                .key(key(mergedInto))
                .updateExpression("ADD #from :from")
                .expressionAttributeNames(Map.of("#from", AsofTables.MERGED_FROM))
                .expressionAttributeValues(Map.of(":from", AttributeValue.fromSs(List.of(mergedFrom)))));
    }

    /** Every identity ever merged directly into {@code mergedInto}, in string order. */
    public List<String> mergedInto(String mergedInto) {
        return decode(
                dynamo.getItem(b -> b.tableName(table).consistentRead(true).key(key(mergedInto)))
                        .item());
    }

    static Map<String, AttributeValue> key(String mergedInto) {
        return Map.of(AsofTables.MERGED_INTO, AttributeValue.fromS(mergedInto));
    }

    /** The identities an item of this table lists; none for a missing item. */
    static List<String> decode(Map<String, AttributeValue> item) {
        if (item == null || !item.containsKey(AsofTables.MERGED_FROM)) {
            return List.of();
        }
        return item.get(AsofTables.MERGED_FROM).ss().stream().sorted().toList();
    }
}
