package dev.asof.submission;

import dev.asof.support.storage.AsofTables;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@code Idempotency-Key} (IETF httpapi draft): the first request with a key stores its answer; the same key
 * with the same body gets the same answer again; the same key with another body is refused. Keys are scoped by
 * API key, so two integrators never collide, and kept for {@link #RETENTION}.
 */
class IdempotencyKeys {

    static final Duration RETENTION = Duration.ofHours(24);

    /**
     * How long a request holds its key while it runs. A request that died without answering (crash, store
     * outage) releases its key after this, so the client's retry can proceed instead of waiting a day.
     */
    static final Duration LEASE = Duration.ofSeconds(30);

    /** What to do with a request carrying a key. */
    sealed interface Outcome permits Proceed, Replay, InFlight, Mismatch {}

    /** First use of the key: process the request, then {@link #complete} or {@link #abandon}. */
    record Proceed() implements Outcome {}

    /** Answered before: send this answer again. */
    record Replay(int status, String body) implements Outcome {}

    /** The first request with this key is still being processed. */
    record InFlight() implements Outcome {}

    /** The key was used with a different request: another endpoint or another body. */
    record Mismatch() implements Outcome {}

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    IdempotencyKeys(DynamoDbClient dynamo, AsofTables tables, Clock clock) {
        this.dynamo = dynamo;
        this.table = tables.idempotencyKeys();
        this.clock = clock;
    }

    Outcome begin(String scopedKey, String fingerprint) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(AsofTables.IDEMPOTENCY_KEY, AttributeValue.fromS(scopedKey));
        item.put("fingerprint", AttributeValue.fromS(fingerprint));
        item.put("state", AttributeValue.fromS("in_flight"));
        item.put(
                "expires_at",
                AttributeValue.fromN(
                        Long.toString(clock.instant().plus(RETENTION).getEpochSecond())));
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#k) OR #e < :now")
                    .expressionAttributeNames(Map.of("#k", AsofTables.IDEMPOTENCY_KEY, "#e", "expires_at"))
                    .expressionAttributeValues(Map.of(
                            ":now",
                            AttributeValue.fromN(Long.toString(clock.instant().getEpochSecond())))));
            return new Proceed();
        } catch (ConditionalCheckFailedException used) {
            Map<String, AttributeValue> existing = dynamo.getItem(b -> b.tableName(table)
                            .consistentRead(true)
                            .key(Map.of(AsofTables.IDEMPOTENCY_KEY, AttributeValue.fromS(scopedKey))))
                    .item();
            if (!fingerprint.equals(existing.get("fingerprint").s())) {
                return new Mismatch();
            }
            if (!"done".equals(existing.get("state").s())) {
                return new InFlight();
            }
            return new Replay(
                    Integer.parseInt(existing.get("status").n()),
                    existing.get("body").s());
        }
    }

    void complete(String scopedKey, int status, String body) {
        dynamo.updateItem(b -> b.tableName(table)
                .key(Map.of(AsofTables.IDEMPOTENCY_KEY, AttributeValue.fromS(scopedKey)))
                .updateExpression("SET #s = :done, #st = :status, #b = :body")
                .expressionAttributeNames(Map.of("#s", "state", "#st", "status", "#b", "body"))
                .expressionAttributeValues(Map.of(
                        ":done", AttributeValue.fromS("done"),
                        ":status", AttributeValue.fromN(Integer.toString(status)),
                        ":body", AttributeValue.fromS(body))));
    }

    /** Forgets a key whose request failed before an answer was decided, so the client may retry with it. */
    void abandon(String scopedKey) {
        dynamo.deleteItem(
                b -> b.tableName(table).key(Map.of(AsofTables.IDEMPOTENCY_KEY, AttributeValue.fromS(scopedKey))));
    }
}
