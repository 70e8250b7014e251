package dev.asof.merge.erasure;

import dev.asof.events.AttributeValue;
import dev.asof.events.AttributeVersion;
import dev.asof.events.EncryptedValues;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.IdentityState;
import dev.asof.events.ProfileFold;
import dev.asof.events.RecordedEvent;
import dev.asof.privacy.PrivacyException;
import dev.asof.privacy.SubjectErasedException;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.BatchCalls;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityStateCodec;
import dev.asof.support.storage.LogKeys;
import dev.asof.support.storage.LogPages;
import dev.asof.support.storage.LogRanges;
import dev.asof.support.storage.ProfileViews;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * What an erasure does to, and reads back from, the DynamoDB tables that hold a data subject's data: the log (values
 * replaced by the redaction marker, structure kept), the view (rewritten as the fold of the redacted log), snapshots
 * (deleted: derived data, rebuilt from the log on demand), the intake ledger (fingerprints of what was sent,
 * deleted), the match index, and the subject's key item.
 *
 * <p>A value counts as the subject's erased data when it is not a removal and not a redaction marker, and either its
 * event is stamped at or before the erasure, or it is a ciphertext no key opens any more. Values stamped after the
 * erasure that open belong to a returning customer and are kept.
 */
class SubjectStores {

    private static final String EVENT = "event";
    private static final String STATE = "state";
    private static final int BATCH_WRITE_LIMIT = 25;
    private static final int BATCH_GET_LIMIT = 100;

    private final DynamoDbClient dynamo;
    private final AsofTables tables;
    private final EventLog log;
    private final ProfileViews views;
    private final ValueCipher cipher;
    private final Clock clock;
    private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> destroyedKeys =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                    .maximumSize(100_000)
                    .build();

    SubjectStores(
            DynamoDbClient dynamo,
            AsofTables tables,
            EventLog log,
            ProfileViews views,
            ValueCipher cipher,
            Clock clock) {
        this.dynamo = dynamo;
        this.tables = tables;
        this.log = log;
        this.views = views;
        this.cipher = cipher;
        this.clock = clock;
    }

    /** Counts per store; {@code readable} must end at 0. */
    static final class Count {
        long items;
        long changed;
        long readable;
        long unopenable;

        Map<String, Object> toMap(String store) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("store", store);
            map.put("items", items);
            map.put("changed", changed);
            map.put("readable_values", readable);
            map.put("unopenable_ciphertexts", unopenable);
            return map;
        }
    }

    /** Whether {@code value} of an event stamped at {@code stamped} is erased data of a subject erased at {@code at}. */
    boolean isErasedData(AttributeValue value, Instant stamped, Instant at) {
        if (value instanceof AttributeValue.Null || EncryptedValues.erasedSubject(value) != null) {
            return false;
        }
        return !stamped.isAfter(at) || !opens(value);
    }

    /** Whether {@code value} can be read: plaintext, or a ciphertext whose key still exists. */
    boolean opens(AttributeValue value) {
        if (!ValueCipher.isCiphertext(value)) {
            return true;
        }
        String key = dataKeyOf((AttributeValue.Text) value);
        if (key != null && destroyedKeys.getIfPresent(key) != null) {
            return false;
        }
        try {
            cipher.decrypt(value);
            return true;
        } catch (PrivacyException destroyedOrForeign) {
            if (key != null && destroyedOrForeign instanceof SubjectErasedException) {
                destroyedKeys.put(key, Boolean.TRUE);
            }
            return false;
        }
    }

    /**
     * The subject and the Tink key id a ciphertext was made with (its output prefix: a version byte and four bytes
     * of key id, the first five bytes of the ciphertext): every ciphertext of one data key has the same. A destroyed
     * key never comes back (a returning customer gets a new key with a new id), so "this key is destroyed" can be
     * remembered: a scan of 10,000 values of an erased customer asks the key table once, not 10,000 times.
     */
    private static String dataKeyOf(AttributeValue.Text value) {
        String subject = EncryptedValues.subject(value.value());
        String ciphertext = EncryptedValues.ciphertext(value.value());
        if (subject == null || ciphertext == null || ciphertext.length() < 8) {
            return null;
        }
        try {
            byte[] head = java.util.Base64.getUrlDecoder().decode(ciphertext.substring(0, 8));
            return subject + "#" + HexFormat.of().formatHex(head, 0, 5);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    /** Tallies {@code value} into {@code count} as the verification scan sees it. */
    void tally(Count count, AttributeValue value, Instant stamped, Instant at) {
        if (value instanceof AttributeValue.Null || EncryptedValues.erasedSubject(value) != null) {
            return;
        }
        boolean opens = opens(value);
        if (!opens) {
            count.unopenable++;
        } else if (!stamped.isAfter(at)) {
            count.readable++;
        }
    }

    /**
     * Replaces the subject's erased values in {@code identity}'s log items by the redaction marker.
     *
     * @param eventIds receives the id of every event of the identity (for the intake ledger)
     */
    Count redactLog(String identity, Instant at, Consumer<String> eventIds) {
        Count count = new Count();
        List<WriteRequest> puts = new ArrayList<>();
        forEachItem(tables.eventLog(), identity, item -> {
            count.items++;
            EventEnvelope event = EventJson.decodeLogged(item.get(EVENT).s());
            eventIds.accept(event.eventId());
            EventEnvelope redacted = event.withValues(value ->
                    isErasedData(value, event.timestampUtc(), at) ? ValueCipher.redact(identity, value) : value);
            if (!EventJson.encode(redacted).equals(EventJson.encode(event))) {
                count.changed++;
                // the whole item as read (every attribute kept) with the event redacted. A batch put has no
                // condition, and needs none while two rules of the log hold (see EventLog): items are never deleted,
                // and after the append only `event` is ever rewritten, by the re-encryption pass, conditional on the
                // item being unchanged. So a re-encryption of this item either loses, or lands between this read and
                // this put and is undone: the item's values stamped after the erasure (a returning customer's) go
                // back to the plaintext they had, and the next re-encryption pass encrypts them again
                Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> written =
                        new HashMap<>(item);
                written.put(
                        EVENT,
                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                EventJson.encode(redacted)));
                puts.add(WriteRequest.builder()
                        .putRequest(PutRequest.builder().item(written).build())
                        .build());
                if (puts.size() == BATCH_WRITE_LIMIT) {
                    writeBatch(tables.eventLog(), puts);
                    puts.clear();
                }
            }
        });
        writeBatch(tables.eventLog(), puts);
        return count;
    }

    /** What {@link #reencryptReturning} changed. */
    record Reencrypted(long items, long values) {}

    /**
     * Re-encrypts, under the identity's current key, the values of its log items stamped after {@code at} and
     * published after the erasure was asked for (at or past {@code requestEnd} in the identity's partition) that
     * were encrypted with a key the erasure destroyed ({@link ValueCipher#retiredReencryption}): a returning
     * customer's events accepted by a replica that still had the old key cached. An item published before the
     * request is the data subject's, whatever its stamp (intake takes stamps a few seconds ahead): it is left for
     * the redaction. Each item is written only if it is unchanged since it was read; one that changed meanwhile ends
     * the step for a retry (it is idempotent: values already under the current key are left as they are).
     */
    Reencrypted reencryptReturning(String identity, Instant at, ErasureSteps.RequestEnd requestEnd) {
        UnaryOperator<AttributeValue> reencrypt = cipher.retiredReencryption(identity);
        long[] items = {0};
        long[] values = {0};
        boolean[] changedMeanwhile = {false};
        forEachItemAfter(tables.eventLog(), identity, LogKeys.upperBound(at), item -> {
            if (!publishedAfter(item, requestEnd)) {
                return;
            }
            EventEnvelope event = EventJson.decodeLogged(item.get(EVENT).s());
            if (!event.timestampUtc().isAfter(at)) {
                return;
            }
            int[] moved = {0};
            EventEnvelope reencrypted = event.withValues(value -> {
                AttributeValue next = reencrypt.apply(value);
                if (next != value) {
                    moved[0]++;
                }
                return next;
            });
            if (moved[0] == 0) {
                return;
            }
            if (setIfUnchanged(dynamo, tables.eventLog(), item, EVENT, EventJson.encode(reencrypted))) {
                items[0]++;
                values[0] += moved[0];
            } else {
                changedMeanwhile[0] = true;
            }
        });
        if (changedMeanwhile[0]) {
            throw new ErasureSteps.StepNotDone(
                    "a log item of an erased identity changed while it was re-encrypted; will try again");
        }
        return new Reencrypted(items[0], values[0]);
    }

    /**
     * Sets {@code attribute} of the log item {@code item} (as read) to {@code value} if it still holds what was read.
     *
     * @return whether it was written
     */
    static boolean setIfUnchanged(
            DynamoDbClient dynamo,
            String table,
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item,
            String attribute,
            String value) {
        try {
            dynamo.updateItem(b -> b.tableName(table)
                    .key(Map.of(
                            AsofTables.CUSTOMER_ID,
                            item.get(AsofTables.CUSTOMER_ID),
                            AsofTables.EVENT_KEY,
                            item.get(AsofTables.EVENT_KEY)))
                    .updateExpression("SET #a = :new")
                    .conditionExpression("#a = :old")
                    .expressionAttributeNames(Map.of("#a", attribute))
                    .expressionAttributeValues(Map.of(
                            ":new",
                            software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(value),
                            ":old",
                            item.get(attribute))));
            return true;
        } catch (ConditionalCheckFailedException changedSinceRead) {
            return false;
        }
    }

    /** Whether the log item was logged from a record at or past {@code requestEnd} (an item without one is not). */
    private static boolean publishedAfter(
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item,
            ErasureSteps.RequestEnd requestEnd) {
        var partition = item.get("kafka_partition");
        var offset = item.get("kafka_offset");
        return partition != null
                && offset != null
                && Integer.parseInt(partition.n()) == requestEnd.partition()
                && Long.parseLong(offset.n()) >= requestEnd.offset();
    }

    /** Rewrites {@code identity}'s view as the fold of its (redacted) log; nothing when it has no view. */
    Count rewriteView(String identity) {
        Count count = new Count();
        for (int attempt = 0; attempt < 10; attempt++) {
            var current = views.find(identity);
            if (current.isEmpty()) {
                return count;
            }
            count.items = 1;
            List<RecordedEvent> events = log.eventsUpTo(identity, LogRanges.MAX_VALID_TIME, LogRanges.MAX_VALID_TIME);
            IdentityState folded =
                    ProfileFold.foldAt(identity, events, LogRanges.MAX_VALID_TIME, LogRanges.MAX_VALID_TIME);
            ProfileViews.View view = current.get();
            if (folded.equals(view.state())) {
                return count;
            }
            if (views.replace(
                    view,
                    folded,
                    view.lastRecordedAt(),
                    view.maxTimestampMillis(),
                    view.lateTiers(),
                    clock.instant())) {
                count.changed = 1;
                return count;
            }
        }
        throw new IllegalStateException("the view of " + identity + " kept changing while it was rewritten");
    }

    /** Deletes {@code identity}'s snapshots (saved folds, rebuilt from the log when a read needs one). */
    Count deleteSnapshots(String identity) {
        return deleteAll(tables.snapshots(), AsofTables.SNAPSHOT_KEY, identity);
    }

    /** Deletes {@code identity}'s packed log pages (copies of its log for timelines; timelines read the log). */
    Count deletePages(String identity) {
        return deleteAll(tables.logPages(), AsofTables.PAGE_KEY, identity);
    }

    /** Deletes every item of {@code identity} in {@code table}, whose sort key is {@code sortKey}. */
    private Count deleteAll(String table, String sortKey, String identity) {
        Count count = new Count();
        forEachItem(table, identity, item -> {
            count.items++;
            count.changed++;
            dynamo.deleteItem(b -> b.tableName(table).key(keyOf(item, sortKey)));
        });
        return count;
    }

    /** The table key of {@code item}: {@code customer_id} and {@code sortKey}. */
    static Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> keyOf(
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item, String sortKey) {
        return Map.of(AsofTables.CUSTOMER_ID, item.get(AsofTables.CUSTOMER_ID), sortKey, item.get(sortKey));
    }

    /**
     * Deletes the intake ledger's entries (fingerprints of what was sent) of {@code eventIds}, in batches of 25; the
     * ones that existed are counted by a batch read of 100 just before. Every id is deleted, not only those the read
     * found, so an entry written again in between (intake takes a re-sent event without values, such as a merge,
     * even after the erasure) goes too.
     */
    Count deleteLedger(List<String> eventIds) {
        Count count = new Count();
        for (int from = 0; from < eventIds.size(); from += BATCH_GET_LIMIT) {
            List<String> chunk = eventIds.subList(from, Math.min(eventIds.size(), from + BATCH_GET_LIMIT));
            count.items += chunk.size();
            count.changed += existingLedgerEntries(chunk).size();
            List<WriteRequest> deletes = new ArrayList<>();
            for (String eventId : new LinkedHashSet<>(chunk)) {
                deletes.add(WriteRequest.builder()
                        .deleteRequest(
                                DeleteRequest.builder().key(ledgerKey(eventId)).build())
                        .build());
                if (deletes.size() == BATCH_WRITE_LIMIT) {
                    writeBatch(tables.intakeEvents(), deletes);
                    deletes.clear();
                }
            }
            writeBatch(tables.intakeEvents(), deletes);
        }
        return count;
    }

    /** The ids among {@code eventIds} (at most 100) that have an intake ledger entry, read consistently. */
    private List<String> existingLedgerEntries(List<String> eventIds) {
        List<String> found = new ArrayList<>();
        BatchCalls.get(
                dynamo,
                Map.of(
                        tables.intakeEvents(),
                        KeysAndAttributes.builder()
                                .consistentRead(true)
                                .projectionExpression("#id")
                                .expressionAttributeNames(Map.of("#id", AsofTables.EVENT_ID))
                                .keys(new LinkedHashSet<>(eventIds)
                                        .stream().map(SubjectStores::ledgerKey).toList())
                                .build()),
                (table, item) -> found.add(item.get(AsofTables.EVENT_ID).s()),
                "intake ledger reads");
        return found;
    }

    /** Writes {@code requests} (at most 25) to {@code table} as one batch, its unprocessed part again with backoff. */
    private void writeBatch(String table, List<WriteRequest> requests) {
        if (requests.isEmpty()) {
            return;
        }
        BatchCalls.write(dynamo, Map.of(table, List.copyOf(requests)), "writes to " + table);
    }

    private static Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> ledgerKey(
            String eventId) {
        return Map.of(
                AsofTables.EVENT_ID, software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(eventId));
    }

    // -------------------------------------------------------------------------------------------------------------
    // the verification scan

    /**
     * Tallies {@code identity}'s log items and adds to {@code erasedEventIds} the ids of the data subject's events: those
     * stamped at or before {@code at} (the erasure) and those holding a redacted value. A returning customer's events
     * are left out: their intake ledger entries keep answering a re-send ({@code duplicate}, or {@code 422} for other
     * content; an outside probe got a changed re-send answered {@code 202} and never stored once they were deleted).
     */
    Count scanLog(String identity, Instant at, List<String> erasedEventIds) {
        Count count = new Count();
        forEachItem(tables.eventLog(), identity, item -> {
            count.items++;
            EventEnvelope event = EventJson.decodeLogged(item.get(EVENT).s());
            event.withValues(value -> {
                tally(count, value, event.timestampUtc(), at);
                return value;
            });
            if (!event.timestampUtc().isAfter(at) || EncryptedValues.redacted(event)) {
                erasedEventIds.add(event.eventId());
            }
        });
        return count;
    }

    Count scanView(String identity, Instant at) {
        Count count = new Count();
        views.find(identity).ifPresent(view -> {
            count.items = 1;
            tallyState(count, view.state(), at);
        });
        return count;
    }

    Count scanSnapshots(String identity, Instant at) {
        Count count = new Count();
        forEachItem(tables.snapshots(), identity, item -> {
            count.items++;
            tallyState(count, IdentityStateCodec.decode(item.get(STATE).s()), at);
        });
        return count;
    }

    Count scanPages(String identity, Instant at) {
        Count count = new Count();
        forEachItem(tables.logPages(), identity, item -> {
            count.items++;
            for (RecordedEvent recorded :
                    LogPages.unpack(item.get(LogPages.EVENTS).b().asByteArrayUnsafe())) {
                EventEnvelope event = recorded.event();
                event.withValues(value -> {
                    tally(count, value, event.timestampUtc(), at);
                    return value;
                });
            }
        });
        return count;
    }

    Count scanLedger(List<String> eventIds) {
        Count count = new Count();
        for (int from = 0; from < eventIds.size(); from += BATCH_GET_LIMIT) {
            int found = existingLedgerEntries(eventIds.subList(from, Math.min(eventIds.size(), from + BATCH_GET_LIMIT)))
                    .size();
            // a fingerprint is a hash of what was sent: as good as the values to whoever can guess them
            count.items += found;
            count.readable += found;
        }
        return count;
    }

    /** The subject's key item: a tombstone or a returning customer's newer key, never the destroyed key. */
    Count scanKeys(String identity) {
        Count count = new Count();
        Instant erased = cipher.erasedAt(identity);
        count.items = 1;
        if (erased == null) {
            count.readable = 1;
        }
        return count;
    }

    /** Whether {@code identity} has a value stamped after {@code at} that opens: a returning customer's data. */
    boolean hasDataAfter(String identity, Instant at) {
        boolean[] found = {false};
        // only the items stamped after the erasure: a range of the sort key, not the identity's whole log
        forEachItemAfter(tables.eventLog(), identity, LogKeys.upperBound(at), item -> {
            EventEnvelope event = EventJson.decodeLogged(item.get(EVENT).s());
            if (event.timestampUtc().isAfter(at)) {
                event.withValues(value -> {
                    if (!(value instanceof AttributeValue.Null)
                            && EncryptedValues.erasedSubject(value) == null
                            && opens(value)) {
                        found[0] = true;
                    }
                    return value;
                });
            }
        });
        return found[0];
    }

    private void tallyState(Count count, IdentityState state, Instant at) {
        for (AttributeVersion version : state.attributes().values()) {
            tally(count, version.value(), version.version().timestamp(), at);
        }
    }

    private void forEachItem(
            String table,
            String identity,
            Consumer<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> action) {
        forEachItemAfter(table, identity, null, action);
    }

    /** Each item of {@code identity} whose sort key is after {@code afterKey} ({@code null}: every item). */
    private void forEachItemAfter(
            String table,
            String identity,
            String afterKey,
            Consumer<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> action) {
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> start = null;
        Map<String, String> names = new HashMap<>(Map.of("#c", AsofTables.CUSTOMER_ID));
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> values = new HashMap<>(
                Map.of(":c", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(identity)));
        String condition = "#c = :c";
        if (afterKey != null) {
            names.put("#k", AsofTables.EVENT_KEY);
            values.put(":k", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(afterKey));
            condition += " AND #k > :k";
        }
        String keyCondition = condition;
        do {
            var from = start;
            QueryResponse page = dynamo.query(QueryRequest.builder()
                    .tableName(table)
                    .consistentRead(true)
                    .keyConditionExpression(keyCondition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .exclusiveStartKey(from)
                    .build());
            page.items().forEach(action);
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
    }
}
