package dev.asof.merge.erasure;

import dev.asof.events.AttributeValue;
import dev.asof.events.EncryptedValues;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.IdentityState;
import dev.asof.events.RecordedEvent;
import dev.asof.privacy.PrivacyException;
import dev.asof.privacy.SubjectErasedException;
import dev.asof.privacy.SubjectKeys;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.IdentityStateCodec;
import dev.asof.support.storage.LogPages;
import dev.asof.support.storage.ProfileViews;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Encrypts the values of items written before encryption was turned on, one page of a table per call, so an operator
 * (or a script) walks a table with the cursor each page returns until there is none. Idempotent and safe beside live
 * traffic: values already encrypted, removals and redaction markers are left as they are; every write is conditional
 * on the item being unchanged since it was read (a changed item is left for the next pass); customers that were
 * erased are skipped (their plaintext is the erasure's to redact, and encrypting would give them a new key).
 *
 * <ul>
 *   <li>{@code event_log}: each plaintext value encrypted with its event's customer's key;
 *   <li>{@code profile_view}: each plaintext value encrypted with the view's identity's key (a view holds only its
 *       identity's own attributes), written under the view's revision check;
 *   <li>{@code snapshots}: a snapshot holding plaintext is deleted (a saved fold, rebuilt from the log on demand);
 *   <li>{@code log_pages}: a packed log page holding plaintext is deleted (a copy of the log for timelines, which
 *       read the log itself where a page is missing);
 *   <li>{@code subject_keys}: after the KEK was rotated, every live data key is wrapped again under the KEK's
 *       primary key ({@link SubjectKeys#rewrap}); tombstones of erased subjects are counted as skipped.
 * </ul>
 */
public class ReEncryption {

    /** The tables it walks. */
    public enum Store {
        EVENT_LOG,
        PROFILE_VIEW,
        SNAPSHOTS,
        LOG_PAGES,
        /** Not values: every live data key wrapped again under the KEK's primary key, after a KEK rotation. */
        SUBJECT_KEYS
    }

    /** What one page did. */
    public record Page(
            Store store,
            int scanned,
            int itemsChanged,
            int valuesEncrypted,
            int skippedErased,
            int unopenableKeys,
            String nextCursor) {}

    private final DynamoDbClient dynamo;
    private final AsofTables tables;
    private final ProfileViews views;
    private final ValueCipher cipher;
    private final SubjectKeys keys;
    private final Clock clock;

    ReEncryption(
            DynamoDbClient dynamo,
            AsofTables tables,
            ProfileViews views,
            ValueCipher cipher,
            SubjectKeys keys,
            Clock clock) {
        this.dynamo = dynamo;
        this.tables = tables;
        this.views = views;
        this.cipher = cipher;
        this.keys = keys;
        this.clock = clock;
    }

    /**
     * Re-encrypts one page of {@code store}.
     *
     * @param cursor where the previous page stopped ({@link Page#nextCursor()}), or {@code null} to start
     * @param limit the most items read
     * @throws IllegalArgumentException the cursor is not one this method returned
     */
    public Page page(Store store, String cursor, int limit) {
        String table = switch (store) {
            case EVENT_LOG -> tables.eventLog();
            case PROFILE_VIEW -> tables.profileView();
            case SNAPSHOTS -> tables.snapshots();
            case LOG_PAGES -> tables.logPages();
            case SUBJECT_KEYS -> tables.subjectKeys();
        };
        ScanResponse response = dynamo.scan(ScanRequest.builder()
                .tableName(table)
                .limit(limit)
                .exclusiveStartKey(decodeCursor(store, cursor))
                .build());
        int changed = 0;
        int values = 0;
        int erased = 0;
        int unopenableKeys = 0;
        for (Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item : response.items()) {
            String customer = item.get(AsofTables.CUSTOMER_ID).s();
            int[] count = {0};
            switch (store) {
                case EVENT_LOG -> {
                    EventEnvelope event =
                            EventJson.decodeLogged(item.get("event").s());
                    event.withValues(value -> encryptIfPlain(customer, value, count, false));
                    if (count[0] > 0) {
                        EventEnvelope encrypted;
                        try {
                            encrypted = event.withValues(value -> encryptIfPlain(customer, value));
                        } catch (SubjectErasedException erasedCustomer) {
                            erased++;
                            continue;
                        }
                        if (SubjectStores.setIfUnchanged(dynamo, table, item, "event", EventJson.encode(encrypted))) {
                            changed++;
                            values += count[0];
                        }
                    }
                }
                case PROFILE_VIEW -> {
                    IdentityState state =
                            IdentityStateCodec.decode(item.get("state").s());
                    state.withValues(value -> encryptIfPlain(customer, value, count, false));
                    if (count[0] > 0) {
                        IdentityState encrypted;
                        try {
                            encrypted = state.withValues(value -> encryptIfPlain(customer, value));
                        } catch (SubjectErasedException erasedCustomer) {
                            erased++;
                            continue;
                        }
                        var view = views.find(customer);
                        if (view.isPresent()
                                && view.get().state().equals(state)
                                && views.replace(
                                        view.get(),
                                        encrypted,
                                        view.get().lastRecordedAt(),
                                        view.get().maxTimestampMillis(),
                                        view.get().lateTiers(),
                                        clock.instant())) {
                            changed++;
                            values += count[0];
                        }
                    }
                }
                case SNAPSHOTS -> {
                    IdentityState state =
                            IdentityStateCodec.decode(item.get("state").s());
                    state.withValues(value -> encryptIfPlain(customer, value, count, false));
                    if (count[0] > 0) {
                        dynamo.deleteItem(
                                b -> b.tableName(table).key(SubjectStores.keyOf(item, AsofTables.SNAPSHOT_KEY)));
                        changed++;
                    }
                }
                case LOG_PAGES -> {
                    for (RecordedEvent recorded :
                            LogPages.unpack(item.get(LogPages.EVENTS).b().asByteArrayUnsafe())) {
                        recorded.event().withValues(value -> encryptIfPlain(customer, value, count, false));
                    }
                    if (count[0] > 0) {
                        dynamo.deleteItem(b -> b.tableName(table).key(SubjectStores.keyOf(item, AsofTables.PAGE_KEY)));
                        changed++;
                    }
                }
                case SUBJECT_KEYS -> {
                    if (item.containsKey("destroyed_at")
                            && item.keySet().stream().noneMatch(name -> name.startsWith("retired_"))) {
                        erased++;
                    } else {
                        try {
                            if (keys.rewrap(customer)) {
                                changed++;
                            }
                        } catch (PrivacyException unopenable) {
                            // wrapped by a KEK key no longer in the keyset, or altered: counted, and the walk goes on
                            unopenableKeys++;
                        }
                    }
                }
            }
        }
        String next =
                response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                        ? encodeCursor(response.lastEvaluatedKey())
                        : null;
        return new Page(store, response.items().size(), changed, values, erased, unopenableKeys, next);
    }

    private AttributeValue encryptIfPlain(String customer, AttributeValue value) {
        return encryptIfPlain(customer, value, new int[1], true);
    }

    private AttributeValue encryptIfPlain(String customer, AttributeValue value, int[] count, boolean encrypt) {
        if (value instanceof AttributeValue.Null
                || ValueCipher.isCiphertext(value)
                || EncryptedValues.erasedSubject(value) != null) {
            return value;
        }
        count[0]++;
        // never a new key for an erased customer: its plaintext is the erasure's to redact; the refusal and the key's
        // creation are one conditional write, so an erasure landing during this pass cannot be overtaken
        return encrypt ? cipher.encryptUnlessErased(customer, value) : value;
    }

    private static String encodeCursor(Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> key) {
        ObjectNode node = EventJson.mapper().createObjectNode();
        key.forEach((name, value) -> node.put(name, value.s()));
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(EventJson.mapper().writeValueAsBytes(node));
    }

    /**
     * The table position a cursor of this store's pages names: exactly the table's key attributes, each a string
     * DynamoDB takes as a key (not empty, within its size). Anything else is refused here: DynamoDB refused it with
     * "the provided starting key is invalid", a 500 (an outside probe passed a profile_view cursor to event_log).
     */
    private static Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> decodeCursor(
            Store store, String cursor) {
        if (cursor == null) {
            return null;
        }
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> key = decodeCursor(cursor);
        java.util.Set<String> names = switch (store) {
            case EVENT_LOG -> java.util.Set.of(AsofTables.CUSTOMER_ID, AsofTables.EVENT_KEY);
            case SNAPSHOTS -> java.util.Set.of(AsofTables.CUSTOMER_ID, AsofTables.SNAPSHOT_KEY);
            case LOG_PAGES -> java.util.Set.of(AsofTables.CUSTOMER_ID, AsofTables.PAGE_KEY);
            case PROFILE_VIEW, SUBJECT_KEYS -> java.util.Set.of(AsofTables.CUSTOMER_ID);
        };
        if (!key.keySet().equals(names)) {
            throw new IllegalArgumentException("a cursor of another store");
        }
        key.forEach((name, value) -> {
            int bytes = value.s().getBytes(StandardCharsets.UTF_8).length;
            // DynamoDB's limits: 2,048 bytes for a partition key, 1,024 for a sort key
            if (bytes == 0 || bytes > (name.equals(AsofTables.CUSTOMER_ID) ? 2_048 : 1_024)) {
                throw new IllegalArgumentException("not a key DynamoDB takes");
            }
        });
        return key;
    }

    private static Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> decodeCursor(
            String cursor) {
        try {
            JsonNode node = EventJson.mapper()
                    .readTree(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> key = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!field.getValue().isString()
                        || !(field.getKey().equals(AsofTables.CUSTOMER_ID)
                                || field.getKey().equals(AsofTables.EVENT_KEY)
                                || field.getKey().equals(AsofTables.SNAPSHOT_KEY)
                                || field.getKey().equals(AsofTables.PAGE_KEY))) {
                    throw new IllegalArgumentException("not a cursor");
                }
                key.put(
                        field.getKey(),
                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                field.getValue().stringValue()));
            }
            if (!key.containsKey(AsofTables.CUSTOMER_ID)) {
                throw new IllegalArgumentException("not a cursor");
            }
            return key;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a cursor this endpoint returned", e);
        }
    }
}
