package dev.asof.merge.erasure;

import dev.asof.support.storage.AsofTables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Erasures in the {@code erasures} table: one item per erasure (key {@code erasure_id}), rewritten after every step,
 * and one item per customer ({@code customer#<id>}) naming its latest erasure, so a repeated request finds the one
 * under way instead of starting another.
 */
class ErasureStore {

    private static final String POINTER_PREFIX = "customer#";
    private static final String MEMBER_PREFIX = "member#";
    private static final String LATEST = "latest";

    private final DynamoDbClient dynamo;
    private final String table;

    ErasureStore(DynamoDbClient dynamo, AsofTables tables) {
        this.dynamo = dynamo;
        this.table = tables.erasures();
    }

    Optional<Erasure> find(String erasureId) {
        if (erasureId.startsWith(POINTER_PREFIX)) {
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
        for (String identity : erasure.identities()) {
            if (!identity.equals(erasure.customerId())) {
                dynamo.putItem(b -> b.tableName(table)
                        .item(Map.of(
                                AsofTables.ERASURE_ID,
                                AttributeValue.fromS(MEMBER_PREFIX + identity),
                                LATEST,
                                AttributeValue.fromS(erasure.erasureId()))));
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
        return find(pointer.get(LATEST).s());
    }

    /**
     * Stores {@code erasure} as the customer's latest, unless another request made a different one its latest since
     * {@code previous} was read: then that one, which the caller answers instead.
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
            return erasure;
        } catch (ConditionalCheckFailedException concurrent) {
            dynamo.deleteItem(b ->
                    b.tableName(table).key(Map.of(AsofTables.ERASURE_ID, AttributeValue.fromS(erasure.erasureId()))));
            return latestOf(erasure.customerId()).orElseThrow();
        }
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

    /** Every erasure not finished yet: resumed when the service starts. The table holds one item per request. */
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
