package dev.asof.support.storage;

import dev.asof.events.IdentityState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Saved fold results of one identity, in the {@code snapshots} table. A snapshot is an {@link IdentityState} that
 * covers exactly the rectangle {events with {@code timestamp_utc <= validTo} and {@code recorded_at <= recordedTo}}.
 * Items are immutable: written once with a condition, never updated, so a late event never rewrites one.
 *
 * <p>Sort key {@code v<state schema version, 4 digits>#<validTo, epoch ms, 15 digits>#<recordedTo, HLC, 19 digits>}.
 * The schema version leads, so a reader only ever ranges over snapshots of the version it understands: snapshots
 * of another version are ignored, never trusted. Within a version the keys sort by valid time, then recorded
 * bound, so "the latest snapshot at or before (T, K)" is one descending range query bounded by T and filtered by
 * K.
 */
public class Snapshots {

    private static final Logger log = LoggerFactory.getLogger(Snapshots.class);

    private static final String STATE = "state";
    private static final String STATE_SCHEMA_VERSION = "state_schema_version";
    private static final String VALID_TO_MS = "valid_to_ms";
    private static final String RECORDED_TO = "recorded_to";
    private static final String EVENTS_COVERED = "events_covered";
    private static final String CREATED_AT = "created_at";

    /** Items fetched per page of the look-up; most look-ups stop at the first. */
    private static final int LOOKUP_PAGE = 4;

    private final DynamoDbClient dynamo;
    private final String table;

    public Snapshots(DynamoDbClient dynamo, AsofTables tables) {
        this.dynamo = dynamo;
        this.table = tables.snapshots();
    }

    /**
     * A saved fold result.
     *
     * @param state the fold of every event of the identity in the rectangle
     * @param validToMillis the rectangle's valid-time bound (inclusive), epoch milliseconds
     * @param recordedTo the rectangle's recorded bound (inclusive), an {@link dev.asof.events.Hlc} value
     * @param eventsCovered how many logged events the rectangle holds
     */
    public record Snapshot(IdentityState state, long validToMillis, long recordedTo, long eventsCovered) {

        /** The valid-time bound as an instant. */
        public Instant validTo() {
            return Instant.ofEpochMilli(validToMillis);
        }
    }

    /** The sort key of a snapshot of the current state schema version. */
    public static String key(long validToMillis, long recordedTo) {
        return versionPrefix() + String.format("%015d#%019d", validToMillis, recordedTo);
    }

    private static String versionPrefix() {
        return String.format("v%04d#", IdentityStateCodec.STATE_SCHEMA_VERSION);
    }

    /**
     * The usable snapshot of {@code customerId} that covers the most of (validAt, recordedBound): the one with the
     * latest valid-time bound at or before {@code validAt}, and of those the latest recorded bound, among the
     * snapshots of the current schema version with {@code recordedTo <= recordedBound}. Empty when none is usable.
     */
    public Optional<Snapshot> latestUsable(String customerId, Instant validAt, long recordedBound) {
        long validAtMillis = validAt.toEpochMilli();
        if (validAtMillis < 0) {
            return Optional.empty();
        }
        String lower = versionPrefix();
        // '~' sorts after '#' and every digit: the bound includes every recorded bound at validAt
        String upper = versionPrefix() + String.format("%015d#~", Math.min(validAtMillis, 999_999_999_999_999L));
        QueryRequest query = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#c = :c AND #k BETWEEN :lower AND :upper")
                .filterExpression("#r <= :bound")
                .expressionAttributeNames(
                        Map.of("#c", AsofTables.CUSTOMER_ID, "#k", AsofTables.SNAPSHOT_KEY, "#r", RECORDED_TO))
                .expressionAttributeValues(Map.of(
                        ":c", EventLog.s(customerId),
                        ":lower", EventLog.s(lower),
                        ":upper", EventLog.s(upper),
                        ":bound", EventLog.n(recordedBound)))
                .scanIndexForward(false)
                .limit(LOOKUP_PAGE)
                .build();
        // the paginator fetches a page only when the items before it are used up: returning stops it
        for (Map<String, AttributeValue> item : dynamo.queryPaginator(query).items()) {
            Optional<Snapshot> snapshot = decode(customerId, item);
            if (snapshot.isPresent()) {
                return snapshot;
            }
        }
        return Optional.empty();
    }

    /**
     * The rectangles of every snapshot of {@code customerId} of the current schema version, as {@code {validTo,
     * recordedTo}} pairs in key order (valid time, then recorded bound): the sort keys only, not the states.
     */
    public List<long[]> rectangles(String customerId) {
        List<long[]> rectangles = new ArrayList<>();
        String prefix = versionPrefix();
        QueryRequest query = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#c = :c AND begins_with(#k, :prefix)")
                .expressionAttributeNames(Map.of("#c", AsofTables.CUSTOMER_ID, "#k", AsofTables.SNAPSHOT_KEY))
                .expressionAttributeValues(Map.of(":c", EventLog.s(customerId), ":prefix", EventLog.s(prefix)))
                .projectionExpression("#k")
                .build();
        for (Map<String, AttributeValue> item : dynamo.queryPaginator(query).items()) {
            String key = item.get(AsofTables.SNAPSHOT_KEY).s().substring(prefix.length());
            rectangles.add(new long[] {Long.parseLong(key.substring(0, 15)), Long.parseLong(key.substring(16))});
        }
        return rectangles;
    }

    /** Whether a snapshot of the current schema version with exactly this rectangle exists. */
    public boolean exists(String customerId, long validToMillis, long recordedTo) {
        Map<String, AttributeValue> item = dynamo.getItem(
                        b -> b.tableName(table).key(itemKey(customerId, validToMillis, recordedTo)))
                .item();
        return item != null && !item.isEmpty();
    }

    /** The table key of the snapshot of {@code customerId} with this rectangle. */
    static Map<String, AttributeValue> itemKey(String customerId, long validToMillis, long recordedTo) {
        return Map.of(
                AsofTables.CUSTOMER_ID,
                EventLog.s(customerId),
                AsofTables.SNAPSHOT_KEY,
                EventLog.s(key(validToMillis, recordedTo)));
    }

    /**
     * Saves a snapshot unless one with the same rectangle exists (the same rectangle always holds the same state,
     * so the first write wins and a repeat is a no-op). Returns whether this call wrote it: not when it exists, nor
     * when its state is larger than one item may hold ({@link ProfileViews#MAX_STATE_BYTES}).
     */
    public boolean save(Snapshot snapshot, Instant createdAt) {
        String state = IdentityStateCodec.encode(snapshot.state());
        if (state.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > ProfileViews.MAX_STATE_BYTES) {
            // a state at an earlier valid time can outgrow the view (a large value replaced since, and another
            // arriving late): not snapshotted, so reads at that time fold it from the log
            return false;
        }
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(AsofTables.CUSTOMER_ID, EventLog.s(snapshot.state().customerId()));
        item.put(AsofTables.SNAPSHOT_KEY, EventLog.s(key(snapshot.validToMillis(), snapshot.recordedTo())));
        item.put(STATE, EventLog.s(state));
        item.put(STATE_SCHEMA_VERSION, EventLog.n(IdentityStateCodec.STATE_SCHEMA_VERSION));
        item.put(VALID_TO_MS, EventLog.n(snapshot.validToMillis()));
        item.put(RECORDED_TO, EventLog.n(snapshot.recordedTo()));
        item.put(EVENTS_COVERED, EventLog.n(snapshot.eventsCovered()));
        item.put(CREATED_AT, EventLog.s(createdAt.toString()));
        return EventLog.putIfAbsent(dynamo, table, AsofTables.CUSTOMER_ID, item);
    }

    /** How many snapshots of the current schema version {@code customerId} has (for tests and tools). */
    public int count(String customerId) {
        QueryRequest query = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#c = :c AND begins_with(#k, :prefix)")
                .expressionAttributeNames(Map.of("#c", AsofTables.CUSTOMER_ID, "#k", AsofTables.SNAPSHOT_KEY))
                .expressionAttributeValues(Map.of(":c", EventLog.s(customerId), ":prefix", EventLog.s(versionPrefix())))
                .projectionExpression("#k")
                .build();
        return dynamo.queryPaginator(query).stream()
                .mapToInt(QueryResponse::count)
                .sum();
    }

    /** The snapshot an item holds; empty (and logged) when it is not one this code can trust. */
    static Optional<Snapshot> decode(String customerId, Map<String, AttributeValue> item) {
        try {
            AttributeValue version = item.get(STATE_SCHEMA_VERSION);
            if (version == null || Integer.parseInt(version.n()) != IdentityStateCodec.STATE_SCHEMA_VERSION) {
                return Optional.empty();
            }
            IdentityState state = IdentityStateCodec.decode(item.get(STATE).s());
            if (!state.customerId().equals(customerId)) {
                log.warn(
                        "ignoring snapshot {} of {}: it holds the state of {}",
                        item.get(AsofTables.SNAPSHOT_KEY).s(),
                        customerId,
                        state.customerId());
                return Optional.empty();
            }
            return Optional.of(new Snapshot(
                    state,
                    Long.parseLong(item.get(VALID_TO_MS).n()),
                    Long.parseLong(item.get(RECORDED_TO).n()),
                    Long.parseLong(item.get(EVENTS_COVERED).n())));
        } catch (RuntimeException unreadable) {
            // A snapshot is only ever a shortcut: one that cannot be read is skipped, and the log answers instead.
            log.warn(
                    "ignoring unreadable snapshot {} of {}: {}",
                    item.get(AsofTables.SNAPSHOT_KEY) == null
                            ? "?"
                            : item.get(AsofTables.SNAPSHOT_KEY).s(),
                    customerId,
                    unreadable.toString());
            return Optional.empty();
        }
    }
}
