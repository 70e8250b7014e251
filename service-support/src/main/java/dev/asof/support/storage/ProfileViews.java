package dev.asof.support.storage;

import dev.asof.events.IdentityState;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The materialized view: each identity's current folded state. Updated with optimistic concurrency on a
 * revision number instead of transactions (dynalite has none); because the fold is a join, applying an event
 * twice leaves the same state, so a retry after a crash is harmless.
 */
public class ProfileViews {

    /**
     * The most bytes (UTF-8) a customer's folded state may take as stored. DynamoDB refuses an item over 400 KB, and
     * a view item holds the state and a few small attributes beside it; the log writer sets aside an attribute change
     * that would take a view past this, since a view the store refuses would stop its partition. A snapshot over it
     * (a state at an earlier valid time may be larger than the view) is not written ({@link Snapshots#save}).
     */
    public static final int MAX_STATE_BYTES = 380_000;

    /** The bytes {@code state} takes as a view or snapshot stores it. */
    public static int stateBytes(IdentityState state) {
        return IdentityStateCodec.encode(state).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private final DynamoDbClient dynamo;
    private final String table;

    public ProfileViews(DynamoDbClient dynamo, AsofTables tables) {
        this.dynamo = dynamo;
        this.table = tables.profileView();
    }

    /**
     * A stored view.
     *
     * @param state the identity's folded state over its whole log
     * @param lastRecordedAt the largest {@code recorded_at} folded in; the log writer's clock never goes below it
     * @param maxTimestampMillis the latest valid time logged for the identity, epoch milliseconds; {@code
     *     Long.MIN_VALUE} before the first event. An event stamped at or before it arrives out of order (late)
     * @param lateTiers the {@link LateTiers} tiers the identity's late events are listed under, one bit each: a
     *     reader queries only these
     * @param revision bumped on every write, for optimistic concurrency
     */
    public record View(
            IdentityState state, long lastRecordedAt, long maxTimestampMillis, int lateTiers, long revision) {

        public static View empty(String customerId) {
            return new View(IdentityState.empty(customerId), 0, Long.MIN_VALUE, 0, 0);
        }

        /** This view's head: what a point-in-time reader needs of it. */
        public Head head() {
            return new Head(lastRecordedAt, maxTimestampMillis, lateTiers);
        }
    }

    /**
     * The small part of a view a point-in-time reader needs: where the log stood when the view was written.
     *
     * @param lastRecordedAt the view's {@code last_recorded_at}; every event logged later is recorded after it
     * @param maxTimestampMillis the view's latest valid time
     * @param lateTiers the view's lateness tiers (see {@link View#lateTiers()})
     */
    public record Head(long lastRecordedAt, long maxTimestampMillis, int lateTiers) {}

    /** The view of {@code customerId}, read consistently. */
    public Optional<View> find(String customerId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .consistentRead(true)
                        .key(Map.of(AsofTables.CUSTOMER_ID, EventLog.s(customerId))))
                .item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        Head head = head(item);
        return Optional.of(new View(
                IdentityStateCodec.decode(item.get("state").s()),
                head.lastRecordedAt(),
                head.maxTimestampMillis(),
                head.lateTiers(),
                Long.parseLong(item.get("revision").n())));
    }

    /**
     * One page of the ids of every stored view, in the table's own order (a keys-only scan).
     *
     * @param customerIds at most {@code limit} ids
     * @param lastId where the next page starts after, or {@code null} when the table was read to its end
     */
    public record IdPage(List<String> customerIds, String lastId) {}

    /**
     * The ids of stored views after {@code afterId} (an {@link IdPage#lastId()} this returned; {@code null} to
     * start), at most {@code limit}: for a pass over every identity, such as a match-index backfill.
     */
    public IdPage ids(String afterId, int limit) {
        var response = dynamo.scan(b -> b.tableName(table)
                .projectionExpression("#id")
                .expressionAttributeNames(Map.of("#id", AsofTables.CUSTOMER_ID))
                .limit(limit)
                .exclusiveStartKey(afterId == null ? null : Map.of(AsofTables.CUSTOMER_ID, EventLog.s(afterId))));
        List<String> ids = response.items().stream()
                .map(item -> item.get(AsofTables.CUSTOMER_ID).s())
                .toList();
        boolean more =
                response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty();
        return new IdPage(
                ids,
                more ? response.lastEvaluatedKey().get(AsofTables.CUSTOMER_ID).s() : null);
    }

    /** The head of the view of {@code customerId}, read consistently without the state. */
    public Optional<Head> head(String customerId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .consistentRead(true)
                        .key(Map.of(AsofTables.CUSTOMER_ID, EventLog.s(customerId)))
                        .projectionExpression(HEAD_ATTRIBUTES))
                .item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(head(item));
    }

    /** The attributes of a view item that make up its {@link Head}. */
    static final String HEAD_ATTRIBUTES = "last_recorded_at, max_timestamp_ms, late_tiers";

    static Head head(Map<String, AttributeValue> item) {
        AttributeValue tiers = item.get("late_tiers");
        return new Head(
                Long.parseLong(item.get("last_recorded_at").n()),
                Long.parseLong(item.get("max_timestamp_ms").n()),
                tiers == null ? 0 : Integer.parseInt(tiers.n()));
    }

    /**
     * Writes {@code next} if the stored revision is still {@code expected.revision()}; {@code false} when another
     * writer came first (re-read and try again).
     */
    public boolean replace(
            View expected,
            IdentityState next,
            long lastRecordedAt,
            long maxTimestampMillis,
            int lateTiers,
            Instant now) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(AsofTables.CUSTOMER_ID, EventLog.s(next.customerId()));
        item.put("state", EventLog.s(IdentityStateCodec.encode(next)));
        item.put("state_schema_version", EventLog.n(IdentityStateCodec.STATE_SCHEMA_VERSION));
        item.put("last_recorded_at", EventLog.n(lastRecordedAt));
        item.put("max_timestamp_ms", EventLog.n(maxTimestampMillis));
        item.put("late_tiers", EventLog.n(lateTiers));
        item.put("revision", EventLog.n(expected.revision() + 1));
        item.put("updated_at", EventLog.s(now.toString()));
        try {
            if (expected.revision() == 0) {
                dynamo.putItem(b -> b.tableName(table)
                        .item(item)
                        .conditionExpression("attribute_not_exists(#c)")
                        .expressionAttributeNames(Map.of("#c", AsofTables.CUSTOMER_ID)));
            } else {
                dynamo.putItem(b -> b.tableName(table)
                        .item(item)
                        .conditionExpression("#rev = :expected")
                        .expressionAttributeNames(Map.of("#rev", "revision"))
                        .expressionAttributeValues(Map.of(":expected", EventLog.n(expected.revision()))));
            }
            return true;
        } catch (ConditionalCheckFailedException concurrentWrite) {
            return false;
        }
    }
}
