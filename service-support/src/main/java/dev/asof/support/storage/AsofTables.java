package dev.asof.support.storage;

import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * The DynamoDB tables the services share, and their idempotent creation. The layout:
 *
 * <ul>
 *   <li>{@code event_log}: the immutable log. Key {@code customer_id} + {@code event_key}
 *       ({@link LogKeys#eventKey}: valid time then event id, so a re-sent event maps to the same item and a
 *       point-in-time read is one range query). Local index {@code by_recorded} on {@code recorded_at} finds
 *       late events.
 *   <li>{@code profile_view}: the materialized current state of each identity, key {@code customer_id}.
 *   <li>{@code intake_events}: one item per accepted {@code event_id} with a fingerprint of its content, so
 *       intake recognises a re-sent event (across endpoints, replicas and restarts) and refuses an id reused
 *       for different content.
 *   <li>{@code idempotency_keys}: the stored answer per {@code Idempotency-Key}, scoped by API key.
 * </ul>
 */
public final class AsofTables {

    public static final String CUSTOMER_ID = "customer_id";
    public static final String EVENT_KEY = "event_key";
    public static final String RECORDED_AT = "recorded_at";
    public static final String BY_RECORDED_INDEX = "by_recorded";
    public static final String EVENT_ID = "event_id";
    public static final String IDEMPOTENCY_KEY = "idempotency_key";

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
                                attribute(RECORDED_AT, ScalarAttributeType.N))
                        .keySchema(key(CUSTOMER_ID, KeyType.HASH), key(EVENT_KEY, KeyType.RANGE))
                        .localSecondaryIndexes(LocalSecondaryIndex.builder()
                                .indexName(BY_RECORDED_INDEX)
                                .keySchema(key(CUSTOMER_ID, KeyType.HASH), key(RECORDED_AT, KeyType.RANGE))
                                .projection(Projection.builder()
                                        .projectionType(ProjectionType.ALL)
                                        .build())
                                .build())
                        .build(),
                singleKeyTable(profileView(), CUSTOMER_ID),
                singleKeyTable(intakeEvents(), EVENT_ID),
                singleKeyTable(idempotencyKeys(), IDEMPOTENCY_KEY));
    }

    private static CreateTableRequest singleKeyTable(String name, String hashKey) {
        return CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attribute(hashKey, ScalarAttributeType.S))
                .keySchema(key(hashKey, KeyType.HASH))
                .build();
    }

    private static void create(DynamoDbClient dynamo, CreateTableRequest request) {
        try {
            dynamo.createTable(request);
        } catch (ResourceInUseException alreadyThere) {
            // Another process created it first: exactly what we wanted.
        }
        waitUntilActive(dynamo, request.tableName());
    }

    private static void waitUntilActive(DynamoDbClient dynamo, String table) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                TableStatus status =
                        dynamo.describeTable(b -> b.tableName(table)).table().tableStatus();
                if (status == TableStatus.ACTIVE) {
                    return;
                }
            } catch (ResourceNotFoundException notYet) {
                // Created a moment ago; keep polling.
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for table " + table, e);
            }
        }
        throw new IllegalStateException("table " + table + " did not become active within 60 s");
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
