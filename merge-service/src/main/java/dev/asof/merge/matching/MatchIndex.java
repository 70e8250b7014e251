package dev.asof.merge.matching;

import dev.asof.matching.MatchRecord;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.BatchCalls;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * The blocking index in DynamoDB: {@code match_index} holds one item per blocking key and identity, so the
 * identities sharing a key are one {@code Query}; {@code match_records} holds each identity's normalised match
 * fields, the keys it is indexed under (so a change removes the stale ones) and its active merge link. A lookup
 * never scans.
 */
public class MatchIndex {

    private static final int BATCH_GET_LIMIT = 100;

    private final DynamoDbClient dynamo;
    private final String index;
    private final String records;

    public MatchIndex(DynamoDbClient dynamo, AsofTables tables) {
        this.dynamo = dynamo;
        this.index = tables.matchIndex();
        this.records = tables.matchRecords();
    }

    /**
     * One identity as indexed.
     *
     * @param record its match fields, from its own current attributes
     * @param keys the blocking keys it is indexed under
     * @param mergedInto the identity its active merge link points to; {@code null} when not merged
     * @param linked whether it was ever merged or unmerged: such an identity is never merged automatically
     */
    public record Indexed(MatchRecord record, Set<String> keys, String mergedInto, boolean linked) {

        public Indexed {
            keys = Set.copyOf(keys);
        }

        public String customerId() {
            return record.customerId();
        }
    }

    /** The identity as indexed; empty when never indexed. */
    public Optional<Indexed> find(String customerId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(records)
                        .consistentRead(true)
                        .key(Map.of(AsofTables.CUSTOMER_ID, AttributeValue.fromS(customerId))))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(decode(item));
    }

    /** The identities among {@code customerIds} that are indexed, by id. */
    public Map<String, Indexed> findAll(Collection<String> customerIds) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(customerIds));
        Map<String, Indexed> found = new HashMap<>();
        for (int from = 0; from < ids.size(); from += BATCH_GET_LIMIT) {
            List<Map<String, AttributeValue>> keys =
                    ids.subList(from, Math.min(ids.size(), from + BATCH_GET_LIMIT)).stream()
                            .map(id -> Map.of(AsofTables.CUSTOMER_ID, AttributeValue.fromS(id)))
                            .toList();
            BatchCalls.get(
                    dynamo,
                    Map.of(records, KeysAndAttributes.builder().keys(keys).build()),
                    (table, item) -> {
                        Indexed indexed = decode(item);
                        found.put(indexed.customerId(), indexed);
                    },
                    "match records");
        }
        return found;
    }

    /**
     * The identities indexed under {@code blockingKey}, at most {@code limit} + 1 of them (so the caller can tell
     * "more than limit"), in string order.
     */
    public List<String> sharing(String blockingKey, int limit) {
        return dynamo
                .query(b -> b.tableName(index)
                        .keyConditionExpression("#key = :key")
                        .expressionAttributeNames(Map.of("#key", AsofTables.BLOCK_KEY))
                        .expressionAttributeValues(Map.of(":key", AttributeValue.fromS(blockingKey)))
                        .projectionExpression(AsofTables.CUSTOMER_ID)
                        .limit(limit + 1))
                .items()
                .stream()
                .map(item -> item.get(AsofTables.CUSTOMER_ID).s())
                .toList();
    }

    /**
     * Indexes {@code next} only if the identity has no record yet (a backfill, which must never overwrite what the
     * follower wrote from a newer view): its keys first, then the record, written only if still absent. If a record
     * appeared meanwhile, the keys written here that it does not have are deleted again (they may hold values the
     * winner no longer has, such as an erased identity's), and any of them the record has by then is put back.
     *
     * @return {@code false} if a record appeared meanwhile
     */
    public boolean putIfAbsent(Indexed next) {
        String customer = next.customerId();
        for (String key : new TreeSet<>(next.keys())) {
            dynamo.putItem(b -> b.tableName(index).item(indexKey(key, customer)));
        }
        if (putRecordIfAbsent(next)) {
            return true;
        }
        Set<String> extra = new TreeSet<>(next.keys());
        find(customer).ifPresent(winner -> extra.removeAll(winner.keys()));
        for (String key : extra) {
            dynamo.deleteItem(b -> b.tableName(index).key(indexKey(key, customer)));
        }
        // the follower may have written a newer record with one of these keys meanwhile: a record is never left
        // missing from a key it has
        find(customer).ifPresent(now -> {
            for (String key : extra) {
                if (now.keys().contains(key)) {
                    dynamo.putItem(b -> b.tableName(index).item(indexKey(key, customer)));
                }
            }
        });
        return false;
    }

    /**
     * Indexes {@code next}, replacing {@code previous} (the record as read just before; {@code null}: none): new keys
     * first, then the record, then the stale keys, so a crash in between leaves extra keys (a candidate that scores
     * low), never a record missing from a key it has. When {@code previous} is {@code null} the record is written only
     * if still absent, so a record a backfill wrote meanwhile is not overwritten with its keys left behind.
     *
     * @return {@code false} if a record appeared meanwhile (read it again and retry); nothing is replaced then
     */
    public boolean put(Indexed next, Indexed previous) {
        String customer = next.customerId();
        Set<String> stale = new TreeSet<>(previous == null ? Set.of() : previous.keys());
        stale.removeAll(next.keys());
        for (String key : new TreeSet<>(next.keys())) {
            if (previous == null || !previous.keys().contains(key)) {
                dynamo.putItem(b -> b.tableName(index).item(indexKey(key, customer)));
            }
        }
        if (previous == null) {
            if (!putRecordIfAbsent(next)) {
                return false;
            }
        } else {
            dynamo.putItem(b -> b.tableName(records).item(encode(next)));
        }
        for (String key : stale) {
            dynamo.deleteItem(b -> b.tableName(index).key(indexKey(key, customer)));
        }
        return true;
    }

    private boolean putRecordIfAbsent(Indexed next) {
        try {
            dynamo.putItem(b -> b.tableName(records)
                    .item(encode(next))
                    .conditionExpression("attribute_not_exists(#id)")
                    .expressionAttributeNames(Map.of("#id", AsofTables.CUSTOMER_ID)));
            return true;
        } catch (ConditionalCheckFailedException recordedMeanwhile) {
            return false;
        }
    }

    private static Map<String, AttributeValue> indexKey(String key, String customer) {
        return Map.of(
                AsofTables.BLOCK_KEY,
                AttributeValue.fromS(key),
                AsofTables.CUSTOMER_ID,
                AttributeValue.fromS(customer));
    }

    private static Map<String, AttributeValue> encode(Indexed indexed) {
        MatchRecord record = indexed.record();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(AsofTables.CUSTOMER_ID, AttributeValue.fromS(record.customerId()));
        item.put("phones", strings(record.phones()));
        item.put("emails", strings(record.emails()));
        item.put("keys", strings(indexed.keys()));
        putOptional(item, "first_name", record.firstName());
        putOptional(item, "last_name", record.lastName());
        putOptional(item, "postcode", record.postcode());
        putOptional(
                item,
                "date_of_birth",
                record.dateOfBirth() == null ? null : record.dateOfBirth().toString());
        putOptional(item, "merged_into", indexed.mergedInto());
        item.put("linked", AttributeValue.fromBool(indexed.linked()));
        return item;
    }

    private static Indexed decode(Map<String, AttributeValue> item) {
        String dateOfBirth = optional(item, "date_of_birth");
        return new Indexed(
                new MatchRecord(
                        item.get(AsofTables.CUSTOMER_ID).s(),
                        strings(item.get("phones")),
                        strings(item.get("emails")),
                        optional(item, "first_name"),
                        optional(item, "last_name"),
                        optional(item, "postcode"),
                        dateOfBirth == null ? null : LocalDate.parse(dateOfBirth)),
                strings(item.get("keys")),
                optional(item, "merged_into"),
                item.containsKey("linked") && item.get("linked").bool());
    }

    private static AttributeValue strings(Collection<String> values) {
        // a list, not a string set: DynamoDB refuses an empty set
        return AttributeValue.fromL(
                new TreeSet<>(values).stream().map(AttributeValue::fromS).toList());
    }

    private static Set<String> strings(AttributeValue list) {
        Set<String> values = new TreeSet<>();
        if (list != null && list.hasL()) {
            list.l().forEach(value -> values.add(value.s()));
        }
        return values;
    }

    private static void putOptional(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, AttributeValue.fromS(value));
        }
    }

    private static String optional(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    /**
     * Removes {@code customerId} from the index (an erasure): its record and every blocking-key entry it had.
     *
     * @return the entries deleted (keys and the record)
     */
    public int remove(String customerId) {
        Optional<Indexed> indexed = find(customerId);
        if (indexed.isEmpty()) {
            return 0;
        }
        for (String key : indexed.get().keys()) {
            dynamo.deleteItem(b -> b.tableName(index).key(indexKey(key, customerId)));
        }
        dynamo.deleteItem(
                b -> b.tableName(records).key(Map.of(AsofTables.CUSTOMER_ID, AttributeValue.fromS(customerId))));
        return indexed.get().keys().size() + 1;
    }
}
