package dev.asof.support.storage;

import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/**
 * The DynamoDB tables the services share, and their idempotent creation. The layout:
 *
 * <ul>
 *   <li>{@code event_log}: the immutable log. Key {@code customer_id} + {@code event_key}
 *       ({@link LogKeys#eventKey}: valid time then event id, so a re-sent event maps to the same item and a
 *       point-in-time read is one range query). Local index {@code by_recorded} on {@code recorded_at} lists a
 *       customer's events in the order they were recorded; the sparse local index {@code by_lateness} on {@code
 *       late_key} holds only events that arrived out of order (stamped at or before the latest time already
 *       logged for the customer), by tier of lateness and valid time ({@link LateTiers}), so a read from a
 *       snapshot finds the late arrivals it misses in a few short ranges, however old the snapshot.
 *   <li>{@code profile_view}: the materialized current state of each identity, key {@code customer_id}.
 *   <li>{@code intake_events}: one item per accepted {@code event_id} with a fingerprint of its content, so
 *       intake recognises a re-sent event (across endpoints, replicas and restarts) and refuses an id reused
 *       for different content.
 *   <li>{@code idempotency_keys}: the stored answer per {@code Idempotency-Key}, scoped by API key.
 *   <li>{@code identity_links}: key {@code merged_into}, with the string set {@code merged_from} of every
 *       identity ever merged into it, so a read finds all identities whose histories may make up a profile with
 *       one get, batched with the view's head.
 *   <li>{@code snapshots}: saved fold results, key {@code customer_id} + {@code snapshot_key}.
 *   <li>{@code log_pages}: packed pages of each identity's log for timelines ({@link LogPages}), key {@code
 *       customer_id} + {@code page_key}: copies of log items, values encrypted as in the log.
 *   <li>{@code subject_keys}: the data key of each data subject (crypto-shredding, module {@code privacy}), key
 *       {@code customer_id}: a keyset encrypted by the key-encryption key, or the tombstone of an erased one.
 *   <li>{@code erasures}: GDPR erasure requests and their progress and proof (merge-service), key {@code
 *       erasure_id}; an item keyed {@code customer#<id>} names the latest erasure requested for that customer, one
 *       keyed {@code member#<id>} the latest that erased it as a member of another.
 *   <li>{@code erasure_list}: every erasure by request time, for listing them (merge-service), key {@code listed}
 *       (always {@code erasure}: one partition, enough for the few erasures a contact centre has) + {@code requested_key}
 *       ({@code <requested_at>#<erasure_id>}); keys and the id only.
 *   <li>{@code campaigns}: bulk campaigns (ingestion-service), key {@code campaign_id}: name, state, counts, the
 *       first errors, the runner's lease and resume point, and how many of its events the log writer counted per
 *       partition. Sparse global index {@code by_pending} ({@code pending}, {@code requested_at}) lists the
 *       unfinished ones for the runners; {@code by_requested} ({@code listed}, {@code requested_at}) the most recent.
 *   <li>{@code campaign_chunks}: a campaign's validated lines until they are published, key {@code upload_id} +
 *       {@code chunk}, encrypted with a key of the campaign's own ({@code StagingKeys}); deleted when it ends.
 * </ul>
 */
public final class AsofTables {

    public static final String CUSTOMER_ID = "customer_id";
    public static final String EVENT_KEY = "event_key";
    public static final String RECORDED_AT = "recorded_at";
    public static final String BY_RECORDED_INDEX = "by_recorded";
    public static final String LATE_KEY = "late_key";
    public static final String BY_LATENESS_INDEX = "by_lateness";
    public static final String MERGED_INTO = "merged_into";
    public static final String MERGED_FROM = "merged_from";
    public static final String SNAPSHOT_KEY = "snapshot_key";
    public static final String PAGE_KEY = "page_key";
    public static final String EVENT_ID = "event_id";
    public static final String IDEMPOTENCY_KEY = "idempotency_key";
    public static final String BLOCK_KEY = "block_key";
    public static final String ERASURE_ID = "erasure_id";
    public static final String CAMPAIGN_ID = "campaign_id";
    public static final String UPLOAD_ID = "upload_id";
    public static final String CHUNK = "chunk";
    public static final String PENDING = "pending";
    public static final String LISTED = "listed";
    public static final String REQUESTED_AT = "requested_at";
    public static final String REQUESTED_KEY = "requested_key";
    public static final String BY_PENDING_INDEX = "by_pending";
    public static final String BY_REQUESTED_INDEX = "by_requested";

    /** How often table creation polls for the table to be active, and for how long at most. */
    private static final Duration ACTIVE_POLL = Duration.ofMillis(50);

    private static final Duration ACTIVE_WAIT = Duration.ofSeconds(60);

    private final String prefix;

    public AsofTables(String prefix) {
        this.prefix = prefix;
    }

    /** The immutable log table's name. */
    public String eventLog() {
        return prefix + "event_log";
    }

    /** The materialized view table's name. */
    public String profileView() {
        return prefix + "profile_view";
    }

    /** The intake's record of accepted event ids. */
    public String intakeEvents() {
        return prefix + "intake_events";
    }

    /** The stored answers per {@code Idempotency-Key}. */
    public String idempotencyKeys() {
        return prefix + "idempotency_keys";
    }

    /** Which identities were ever merged into which. */
    public String identityLinks() {
        return prefix + "identity_links";
    }

    /** The leases merge-service holds on identities while it decides and writes a merge or unmerge. */
    public String identityLocks() {
        return prefix + "identity_locks";
    }

    /** merge-service's blocking index for match suggestions: one item per blocking key and identity. */
    public String matchIndex() {
        return prefix + "match_index";
    }

    /** merge-service's normalised match fields per identity, with the blocking keys it is indexed under. */
    public String matchRecords() {
        return prefix + "match_records";
    }

    /** Saved fold results. */
    public String snapshots() {
        return prefix + "snapshots";
    }

    /** Packed pages of identities' logs, for timelines ({@link LogPages}). */
    public String logPages() {
        return prefix + "log_pages";
    }

    /** Erasure requests, their steps and proof (merge-service). */
    public String erasures() {
        return prefix + "erasures";
    }

    /** Every erasure by request time, for listing them (merge-service). */
    public String erasureList() {
        return prefix + "erasure_list";
    }

    /** Bulk campaigns: their upload, progress and errors (ingestion-service). */
    public String campaigns() {
        return prefix + "campaigns";
    }

    /** A campaign's validated lines, encrypted, until they have gone through the write path. */
    public String campaignChunks() {
        return prefix + "campaign_chunks";
    }

    /** Per-subject data keys, wrapped by the key-encryption key (module {@code privacy}). */
    public String subjectKeys() {
        return prefix + "subject_keys";
    }

    /** Creates every table that does not exist yet and waits until each is active. Safe to call again. */
    public void ensureAll(DynamoDbClient dynamo) {
        for (CreateTableRequest request : definitions()) {
            create(dynamo, request);
        }
    }

    /** The table definitions, for tools that want to show or compare them. */
    public List<CreateTableRequest> definitions() {
        return List.of(
                CreateTableRequest.builder()
                        .tableName(eventLog())
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(
                                attribute(CUSTOMER_ID, ScalarAttributeType.S),
                                attribute(EVENT_KEY, ScalarAttributeType.S),
                                attribute(RECORDED_AT, ScalarAttributeType.N),
                                attribute(LATE_KEY, ScalarAttributeType.S))
                        .keySchema(key(CUSTOMER_ID, KeyType.HASH), key(EVENT_KEY, KeyType.RANGE))
                        .localSecondaryIndexes(
                                localIndex(BY_RECORDED_INDEX, RECORDED_AT), localIndex(BY_LATENESS_INDEX, LATE_KEY))
                        .build(),
                CreateTableRequest.builder()
                        .tableName(identityLinks())
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(attribute(MERGED_INTO, ScalarAttributeType.S))
                        .keySchema(key(MERGED_INTO, KeyType.HASH))
                        .build(),
                twoKeyTable(snapshots(), CUSTOMER_ID, SNAPSHOT_KEY),
                twoKeyTable(logPages(), CUSTOMER_ID, PAGE_KEY),
                singleKeyTable(profileView(), CUSTOMER_ID),
                singleKeyTable(intakeEvents(), EVENT_ID),
                singleKeyTable(idempotencyKeys(), IDEMPOTENCY_KEY),
                singleKeyTable(identityLocks(), CUSTOMER_ID),
                twoKeyTable(matchIndex(), BLOCK_KEY, CUSTOMER_ID),
                singleKeyTable(matchRecords(), CUSTOMER_ID),
                singleKeyTable(subjectKeys(), CUSTOMER_ID),
                singleKeyTable(erasures(), ERASURE_ID),
                twoKeyTable(erasureList(), LISTED, REQUESTED_KEY),
                CreateTableRequest.builder()
                        .tableName(campaigns())
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(
                                attribute(CAMPAIGN_ID, ScalarAttributeType.S),
                                attribute(PENDING, ScalarAttributeType.S),
                                attribute(LISTED, ScalarAttributeType.S),
                                attribute(REQUESTED_AT, ScalarAttributeType.S))
                        .keySchema(key(CAMPAIGN_ID, KeyType.HASH))
                        .globalSecondaryIndexes(
                                globalIndex(BY_PENDING_INDEX, PENDING, REQUESTED_AT, ProjectionType.KEYS_ONLY),
                                globalIndex(BY_REQUESTED_INDEX, LISTED, REQUESTED_AT, ProjectionType.KEYS_ONLY))
                        .build(),
                CreateTableRequest.builder()
                        .tableName(campaignChunks())
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(
                                attribute(UPLOAD_ID, ScalarAttributeType.S), attribute(CHUNK, ScalarAttributeType.N))
                        .keySchema(key(UPLOAD_ID, KeyType.HASH), key(CHUNK, KeyType.RANGE))
                        .build());
    }

    private static LocalSecondaryIndex localIndex(String name, String sortKey) {
        return LocalSecondaryIndex.builder()
                .indexName(name)
                .keySchema(key(CUSTOMER_ID, KeyType.HASH), key(sortKey, KeyType.RANGE))
                .projection(
                        Projection.builder().projectionType(ProjectionType.ALL).build())
                .build();
    }

    private static software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex globalIndex(
            String name, String hashKey, String sortKey, ProjectionType projection) {
        return software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex.builder()
                .indexName(name)
                .keySchema(key(hashKey, KeyType.HASH), key(sortKey, KeyType.RANGE))
                .projection(Projection.builder().projectionType(projection).build())
                .build();
    }

    /** A table keyed by two strings: {@code hashKey} and the sort key {@code rangeKey}. */
    private static CreateTableRequest twoKeyTable(String name, String hashKey, String rangeKey) {
        return CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        attribute(hashKey, ScalarAttributeType.S), attribute(rangeKey, ScalarAttributeType.S))
                .keySchema(key(hashKey, KeyType.HASH), key(rangeKey, KeyType.RANGE))
                .build();
    }

    private static CreateTableRequest singleKeyTable(String name, String hashKey) {
        return CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attribute(hashKey, ScalarAttributeType.S))
                .keySchema(key(hashKey, KeyType.HASH))
                .build();
    }

    /**
     * Creating a table and waiting for it are start-up work, slower than any request (dynalite takes seconds for a
     * table with indexes on a busy machine): they get a deadline of their own instead of the client's, which is
     * sized for requests.
     */
    private static final AwsRequestOverrideConfiguration TABLE_ADMIN = AwsRequestOverrideConfiguration.builder()
            .apiCallTimeout(Duration.ofSeconds(60))
            .apiCallAttemptTimeout(Duration.ofSeconds(30))
            .build();

    private static void create(DynamoDbClient dynamo, CreateTableRequest request) {
        try {
            dynamo.createTable(
                    request.toBuilder().overrideConfiguration(TABLE_ADMIN).build());
        } catch (ResourceInUseException alreadyThere) {
            // Another process created it first, or an earlier run did: check below that it has our indexes.
        }
        TableDescription table = waitUntilActive(dynamo, request.tableName());
        if (!table.keySchema().equals(request.keySchema())) {
            throw new IllegalStateException("table " + request.tableName() + " exists with the key " + table.keySchema()
                    + " (it was created by an older version of asof); this version needs the key "
                    + request.keySchema() + ", so delete the table and load its data again (locally: ./asof reset)");
        }
        if (request.hasLocalSecondaryIndexes()) {
            List<String> existing = table.localSecondaryIndexes().stream()
                    .map(LocalSecondaryIndexDescription::indexName)
                    .toList();
            for (LocalSecondaryIndex index : request.localSecondaryIndexes()) {
                if (!existing.contains(index.indexName())) {
                    throw new IllegalStateException("table " + request.tableName() + " exists without the index "
                            + index.indexName() + " (it was created by an older version of asof, with indexes "
                            + existing + "); local secondary indexes cannot be added to a table, so delete the"
                            + " table and load its data again (locally: ./asof reset)");
                }
            }
        }
    }

    /** The table's description once it is active: the SDK's waiter, polling far more often than its default 20 s. */
    private static TableDescription waitUntilActive(DynamoDbClient dynamo, String table) {
        try (DynamoDbWaiter waiter = DynamoDbWaiter.builder()
                .client(dynamo)
                .overrideConfiguration(WaiterOverrideConfiguration.builder()
                        .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(ACTIVE_POLL))
                        .maxAttempts(Integer.MAX_VALUE)
                        .waitTimeout(ACTIVE_WAIT)
                        .build())
                .build()) {
            return waiter.waitUntilTableExists(b -> b.tableName(table).overrideConfiguration(TABLE_ADMIN))
                    .matched()
                    .response()
                    .orElseThrow()
                    .table();
        }
    }

    private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder()
                .attributeName(name)
                .attributeType(type)
                .build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }
}
