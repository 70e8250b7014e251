package dev.asof.support.storage;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.Hlc;
import dev.asof.events.RecordedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The immutable event log in DynamoDB. Items are only ever created, with a condition that none exists for the
 * same event, so a redelivered or re-sent event can never be logged twice. The log stores deltas (one event per
 * item), never whole profiles.
 *
 * <p>Two rules every writer of {@code event_log} keeps, which merge-service's erasure relies on when it rewrites
 * items without a condition: an item is never deleted, and after its creation only its {@code event} attribute is
 * ever rewritten, by the privacy passes (the re-encryption pass and the erasure's re-encryption of a returning
 * customer's values, both conditional on the item being unchanged; the erasure's redaction).
 */
public class EventLog {

    private final DynamoDbClient dynamo;
    private final String table;
    private final LogRanges ranges;

    public EventLog(DynamoDbClient dynamo, AsofTables tables) {
        this.dynamo = dynamo;
        this.table = tables.eventLog();
        this.ranges = new LogRanges(dynamo, tables);
    }

    /**
     * The outcome of an append: the event as logged, whether this call logged it, and the {@link LateTiers} tier it
     * is indexed under ({@link #NOT_LATE} when it arrived in order). A repeat returns the first append's tier.
     * {@code byThisRecord}: the log item came from this Kafka record (this call, or an earlier attempt at the same
     * partition and offset), not from another record of the same event.
     */
    public record Append(RecordedEvent logged, boolean created, int lateTier, boolean byThisRecord) {}

    /** The {@link Append#lateTier()} of an event that arrived in order. */
    public static final int NOT_LATE = -1;

    /**
     * Logs {@code event} unless the same event is logged already; either way returns the event as logged (with
     * its original {@code recorded_at} and lateness).
     *
     * @param headMillis the latest valid time logged for the customer before this event ({@link Long#MIN_VALUE}
     *     when none): an event stamped at or before it arrived out of order, and is listed in {@code by_lateness}
     *     under the tier of its lateness
     */
    public Append append(RecordedEvent event, long headMillis, int kafkaPartition, long kafkaOffset) {
        EventEnvelope envelope = event.event();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(AsofTables.CUSTOMER_ID, s(envelope.customerId()));
        item.put(AsofTables.EVENT_KEY, s(LogKeys.eventKey(envelope.timestampUtc(), envelope.eventId())));
        item.put(AsofTables.RECORDED_AT, n(event.recordedAt()));
        item.put("event_id", s(envelope.eventId()));
        item.put(LogRanges.EVENT_TYPE, s(envelope.eventType().wireName()));
        item.put("timestamp_ms", n(envelope.timestampUtc().toEpochMilli()));
        item.put("recorded_at_utc", s(Hlc.toInstant(event.recordedAt()).toString()));
        item.put(LogRanges.EVENT, s(EventJson.encode(envelope)));
        long timestampMillis = envelope.timestampUtc().toEpochMilli();
        int tier = NOT_LATE;
        if (timestampMillis <= headMillis) {
            tier = LateTiers.tier(headMillis - timestampMillis);
            item.put(AsofTables.LATE_KEY, s(LateTiers.key(tier, envelope.timestampUtc(), envelope.eventId())));
        }
        item.put("kafka_partition", n(kafkaPartition));
        item.put("kafka_offset", n(kafkaOffset));
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#c)")
                    .expressionAttributeNames(Map.of("#c", AsofTables.CUSTOMER_ID)));
            return new Append(event, true, tier, true);
        } catch (ConditionalCheckFailedException alreadyLogged) {
            Map<String, AttributeValue> existing = item(
                            envelope.customerId(), envelope.timestampUtc(), envelope.eventId())
                    .orElseThrow(() -> new IllegalStateException(
                            "conditional put failed but event " + envelope.eventId() + " is not in the log"));
            AttributeValue lateKey = existing.get(AsofTables.LATE_KEY);
            boolean byThisRecord = item.get("kafka_partition").equals(existing.get("kafka_partition"))
                    && item.get("kafka_offset").equals(existing.get("kafka_offset"));
            return new Append(
                    LogRanges.toEvent(existing),
                    false,
                    lateKey == null ? NOT_LATE : LateTiers.tierOf(lateKey.s()),
                    byThisRecord);
        }
    }

    /** The logged event with this valid time and id, read consistently. */
    public Optional<RecordedEvent> find(String customerId, Instant timestamp, String eventId) {
        return item(customerId, timestamp, eventId).map(LogRanges::toEvent);
    }

    private Optional<Map<String, AttributeValue>> item(String customerId, Instant timestamp, String eventId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .consistentRead(true)
                        .key(Map.of(
                                AsofTables.CUSTOMER_ID,
                                s(customerId),
                                AsofTables.EVENT_KEY,
                                s(LogKeys.eventKey(timestamp, eventId)))))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    /**
     * Every event of {@code customerId} with valid time at or before {@code validAt} recorded at or before {@code
     * knownAt}, in valid-time order.
     */
    public List<RecordedEvent> eventsUpTo(String customerId, Instant validAt, Instant knownAt) {
        List<RecordedEvent> events = new ArrayList<>();
        // pages as large as the store allows (1 MB): this reads a whole history
        ranges.validTimeScan(customerId, null, validAt, Hlc.upperBound(knownAt), Integer.MAX_VALUE)
                .forEachRemaining(events::add);
        return events;
    }

    /**
     * The merges, unmerges and erasures of {@code customerId} recorded at or before {@code knownAt}, at any valid
     * time, in valid-time order; see {@link LogRanges#identityEvents}.
     */
    public LogRanges.Scanned identityEvents(String customerId, Instant knownAt) {
        return ranges.identityEvents(customerId, Hlc.upperBound(knownAt));
    }

    /**
     * Whether {@code customerId} has an event with valid time after {@code after} ({@code null}: any) recorded at or
     * before {@code knownAt}; erasures count only when {@code countErasures}.
     */
    public boolean anyEvent(String customerId, Instant after, Instant knownAt, boolean countErasures) {
        return ranges.anyEvent(customerId, after, Hlc.upperBound(knownAt), countErasures);
    }

    /**
     * Whether the erased {@code customerId} had come back by valid time {@code validAt}, as known at {@code
     * knownAt}: {@link LogRanges#anyEvent(String, Instant, Instant, long, boolean)} without erasures, the one rule
     * every read uses.
     */
    public boolean cameBack(String customerId, Instant erased, Instant validAt, Instant knownAt) {
        return ranges.anyEvent(customerId, erased, validAt, Hlc.upperBound(knownAt), false);
    }

    /**
     * Puts {@code item} into {@code table} unless an item with its key exists ({@code partitionKey} names the
     * table's partition key); whether this call wrote it.
     */
    static boolean putIfAbsent(
            DynamoDbClient dynamo, String table, String partitionKey, Map<String, AttributeValue> item) {
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#k)")
                    .expressionAttributeNames(Map.of("#k", partitionKey)));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
