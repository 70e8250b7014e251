package dev.asof.support.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Which identities were ever merged into which, written by the log writer for every merge and unmerge. A
 * reader finds every identity whose history may make up a profile by walking it from the profile's identity;
 * whether a link is active at a given time is decided by the fold, never by this table.
 */
public class IdentityLinks {

    private final DynamoDbClient dynamo;
    private final String table;

    public IdentityLinks(DynamoDbClient dynamo, AsofTables tables) {
        this.dynamo = dynamo;
        this.table = tables.identityLinks();
    }

    /** Records that {@code mergedFrom} was (at some time) merged into {@code mergedInto}. Idempotent. */
    public void record(String mergedInto, String mergedFrom) {
        dynamo.putItem(b -> b.tableName(table)
                .item(Map.of(
                        AsofTables.MERGED_INTO, AttributeValue.fromS(mergedInto),
                        AsofTables.MERGED_FROM, AttributeValue.fromS(mergedFrom))));
    }

    /** Every identity ever merged directly into {@code mergedInto}. */
    public List<String> mergedInto(String mergedInto) {
        List<String> identities = new ArrayList<>();
        Map<String, AttributeValue> startKey = null;
        do {
            Map<String, AttributeValue> from = startKey;
            QueryResponse page = dynamo.query(b -> {
                b.tableName(table)
                        .consistentRead(true)
                        .keyConditionExpression("#into = :into")
                        .expressionAttributeNames(Map.of("#into", AsofTables.MERGED_INTO))
                        .expressionAttributeValues(Map.of(":into", AttributeValue.fromS(mergedInto)));
                if (from != null) {
                    b.exclusiveStartKey(from);
                }
            });
            page.items()
                    .forEach(item ->
                            identities.add(item.get(AsofTables.MERGED_FROM).s()));
            startKey =
                    page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (startKey != null);
        return identities;
    }
}
