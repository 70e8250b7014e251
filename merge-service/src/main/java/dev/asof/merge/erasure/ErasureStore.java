package dev.asof.merge.erasure;

import dev.asof.events.Timestamps;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.BatchCalls;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Erasures in the {@code erasures} table: one item per erasure (key {@code erasure_id}), rewritten after every step,
 * one item per customer ({@code customer#<id>}) naming its latest erasure, so a repeated request finds the one
 * under way instead of starting another, and one per other identity an erasure covered ({@code member#<id>}), so
 * it is found by that id too; and in {@code erasure_list}, one item per erasure by request time, so they
 * can be listed newest first.
 */
class ErasureStore {

    private static final String POINTER_PREFIX = "customer#";
    private static final String MEMBER_PREFIX = "member#";
    private static final String LATEST = "latest";
    private static final String REQUESTED_MS = "requested_ms";

    private static final String LISTED = "erasure";

    private final DynamoDbClient dynamo;
    private final String table;
    private final String list;

    ErasureStore(DynamoDbClient dynamo, AsofTables tables) {
        this.dynamo = dynamo;
        this.table = tables.erasures();
        this.list = tables.erasureList();
    }

    /**
     * Up to {@code limit} erasures requested before the one {@code after} names (from the newest when {@code
     * null}), newest first. An entry whose erasure is gone is left out.
     */
    Erasures.Listed recent(int limit, String after) {
        QueryRequest.Builder query = QueryRequest.builder()
                .tableName(list)
                .keyConditionExpression("#l = :l")
                .expressionAttributeNames(Map.of("#l", AsofTables.LISTED))
                .expressionAttributeValues(Map.of(":l", AttributeValue.fromS(LISTED)))
                .consistentRead(true)
                .scanIndexForward(false)
                // one more than asked: a next page only when something follows (DynamoDB gives a last key whenever
                // it stops at the limit, even with nothing after it)
                .limit(limit + 1);
        if (after != null) {
            query.exclusiveStartKey(Map.of(
                    AsofTables.LISTED, AttributeValue.fromS(LISTED),
                    AsofTables.REQUESTED_KEY, AttributeValue.fromS(after)));
        }
        List<Map<String, AttributeValue>> items = dynamo.query(query.build()).items();
        List<String> ids = items.stream()
                .limit(limit)
                .map(item -> item.get(AsofTables.ERASURE_ID).s())
                .toList();
        Map<String, Erasure> found = new HashMap<>();
        if (!ids.isEmpty()) {
            List<Map<String, AttributeValue>> keys = ids.stream()
                    .distinct()
                    .map(id -> Map.of(AsofTables.ERASURE_ID, AttributeValue.fromS(id)))
                    .toList();
            BatchCalls.get(
                    dynamo,
                    Map.of(
                            table,
                            KeysAndAttributes.builder()
                                    .keys(keys)
                                    .consistentRead(true)
                                    .build()),
                    (ignored, item) -> found.put(item.get(AsofTables.ERASURE_ID).s(), decode(item)),
                    "listed erasures");
        }
        List<Erasure> erasures =
                ids.stream().filter(found::containsKey).map(found::get).toList();
        String next = items.size() > limit
                ? items.get(limit - 1).get(AsofTables.REQUESTED_KEY).s()
                : null;
        return new Erasures.Listed(erasures, next);
    }

    /** The list entry of an erasure: its request time and id. */
    static String requestedKey(Erasure erasure) {
        // fixed-width times (always milliseconds), so the keys sort as the times do
        return Timestamps.format(erasure.requestedAt()) + "#" + erasure.erasureId();
    }

    Optional<Erasure> find(String erasureId) {
        if (erasureId.startsWith(POINTER_PREFIX) || erasureId.startsWith(MEMBER_PREFIX)) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .consistentRead(true)
                        .key(Map.of(AsofTables.ERASURE_ID, AttributeValue.fromS(erasureId))))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(decode(item));
    }

    /** The latest erasure of {@code customerId}, if it ever had one. */
    Optional<Erasure> latestOf(String customerId) {
        Map<String, AttributeValue> pointer = dynamo.getItem(b -> b.tableName(table)
                        .consistentRead(true)
                        .key(Map.of(AsofTables.ERASURE_ID, AttributeValue.fromS(POINTER_PREFIX + customerId))))
                .item();
        if (pointer == null || pointer.isEmpty()) {
            return Optional.empty();
        }
        return find(pointer.get(LATEST).s());
    }

    /**
     * Records {@code erasure} as the latest to erase each of its identities other than the customer it was requested
     * for ({@code member#<id>}), so that a member can be looked up by its own id. Kept apart from the customer
     * pointers, which decide whether a request starts a new erasure.
     */
    void coverMembers(Erasure erasure) {
        long requested = erasure.requestedAt().toEpochMilli();
        for (String identity : erasure.identities()) {
            if (identity.equals(erasure.customerId())) {
                continue;
            }
            try {
                // never over a later erasure's pointer (several replicas, or a resumed older erasure)
                dynamo.putItem(b -> b.tableName(table)
                        .item(Map.of(
                                AsofTables.ERASURE_ID,
                                AttributeValue.fromS(MEMBER_PREFIX + identity),
                                LATEST,
                                AttributeValue.fromS(erasure.erasureId()),
                                REQUESTED_MS,
                                AttributeValue.fromN(Long.toString(requested))))
                        .conditionExpression("attribute_not_exists(#r) OR #r <= :r")
                        .expressionAttributeNames(Map.of("#r", REQUESTED_MS))
                        .expressionAttributeValues(Map.of(":r", AttributeValue.fromN(Long.toString(requested)))));
            } catch (ConditionalCheckFailedException later) {
                // a later erasure covers this member already
            }
        }
    }

    /** The latest erasure that erased {@code customerId} as a member of another customer, if any did. */
    Optional<Erasure> latestCovering(String customerId) {
        Map<String, AttributeValue> pointer = dynamo.getItem(b -> b.tableName(table)
                        .consistentRead(true)
                        .key(Map.of(AsofTables.ERASURE_ID, AttributeValue.fromS(MEMBER_PREFIX + customerId))))
                .item();
        if (pointer == null || pointer.isEmpty()) {
            return Optional.empty();
        }
        // an erasure whose resolve ran again without the member (an unmerge back-dated before it) does not cover it
        return find(pointer.get(LATEST).s())
                .filter(erasure -> erasure.identities().contains(customerId));
    }

    /**
     * Stores {@code erasure} as the customer's latest, unless another request made a different one its latest since
     * {@code previous} was read: then that one, which the caller answers instead. Not listed in the register here
     * ({@link #list}).
     */
    Erasure start(Erasure erasure, Optional<Erasure> previous) {
        save(erasure);
        Map<String, AttributeValue> pointer = Map.of(
                AsofTables.ERASURE_ID,
                AttributeValue.fromS(POINTER_PREFIX + erasure.customerId()),
                LATEST,
                AttributeValue.fromS(erasure.erasureId()));
        try {
            if (previous.isEmpty()) {
                dynamo.putItem(b -> b.tableName(table)
                        .item(pointer)
                        .conditionExpression("attribute_not_exists(#id)")
                        .expressionAttributeNames(Map.of("#id", AsofTables.ERASURE_ID)));
            } else {
                dynamo.putItem(b -> b.tableName(table)
                        .item(pointer)
                        .conditionExpression("#latest = :previous")
                        .expressionAttributeNames(Map.of("#latest", LATEST))
                        .expressionAttributeValues(Map.of(
                                ":previous", AttributeValue.fromS(previous.get().erasureId()))));
            }
        } catch (ConditionalCheckFailedException concurrent) {
            try {
                dynamo.deleteItem(b -> b.tableName(table)
                        .key(Map.of(AsofTables.ERASURE_ID, AttributeValue.fromS(erasure.erasureId()))));
            } catch (SdkException e) {
                // an erasure item nobody points at, never listed and never run: harmless
            }
            return latestOf(erasure.customerId()).orElseThrow();
        }
        // listed by the caller only once it won, so the register never shows a request that lost the race
        return erasure;
    }

    /** Puts {@code erasure}'s entry in the register (idempotent). */
    void list(Erasure erasure) {
        Map<String, AttributeValue> listed = Map.of(
                AsofTables.LISTED, AttributeValue.fromS(LISTED),
                AsofTables.REQUESTED_KEY, AttributeValue.fromS(requestedKey(erasure)),
                AsofTables.ERASURE_ID, AttributeValue.fromS(erasure.erasureId()));
        dynamo.putItem(b -> b.tableName(list).item(listed));
    }

    void save(Erasure erasure) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(AsofTables.ERASURE_ID, s(erasure.erasureId()));
        item.put("customer_id", s(erasure.customerId()));
        item.put("reason", s(erasure.reason()));
        item.put("requested_by", s(erasure.requestedBy()));
        item.put("requested_at", s(erasure.requestedAt().toString()));
        item.put("state", s(erasure.state()));
        item.put("step", s(erasure.step().name()));
        item.put(
                "identities",
                AttributeValue.fromL(
                        erasure.identities().stream().map(AttributeValue::fromS).toList()));
        putOptional(item, "keys_destroyed_at", erasure.keysDestroyedAt());
        putOptional(item, "completed_at", erasure.completedAt());
        if (erasure.proof() != null) {
            item.put("proof", s(erasure.proof()));
        }
        if (erasure.error() != null) {
            item.put("error", s(erasure.error()));
        }
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    /** Every erasure not finished yet: resumed when the service starts (pointer items have no state: skipped). */
    List<Erasure> unfinished() {
        List<Erasure> found = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(ScanRequest.builder()
                    .tableName(table)
                    .consistentRead(true)
                    .exclusiveStartKey(from)
                    .build());
            for (Map<String, AttributeValue> item : page.items()) {
                if (item.containsKey("state")) {
                    Erasure erasure = decode(item);
                    if (!erasure.finished()) {
                        found.add(erasure);
                    }
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return found;
    }

    private static Erasure decode(Map<String, AttributeValue> item) {
        List<String> identities = new ArrayList<>();
        if (item.containsKey("identities")) {
            item.get("identities").l().forEach(v -> identities.add(v.s()));
        }
        return new Erasure(
                item.get(AsofTables.ERASURE_ID).s(),
                item.get("customer_id").s(),
                item.get("reason").s(),
                item.get("requested_by").s(),
                Instant.parse(item.get("requested_at").s()),
                item.get("state").s(),
                Erasure.Step.valueOf(item.get("step").s()),
                identities,
                instant(item, "keys_destroyed_at"),
                instant(item, "completed_at"),
                item.containsKey("proof") ? item.get("proof").s() : null,
                item.containsKey("error") ? item.get("error").s() : null);
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        return item.containsKey(name) ? Instant.parse(item.get(name).s()) : null;
    }

    private static void putOptional(Map<String, AttributeValue> item, String name, Instant value) {
        if (value != null) {
            item.put(name, s(value.toString()));
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }
}
