package dev.asof.ingestion.intake;

import dev.asof.support.storage.AsofTables;
import java.time.Clock;
import java.util.Map;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The intake's record of every accepted {@code event_id} and a fingerprint of its content. It lets intake answer
 * {@code duplicate} to a re-send from any endpoint, replica or restart, and refuse an id reused for different
 * content (which would otherwise put two different events under one id). An event is claimed {@code pending}
 * before publishing and marked {@code published} after Kafka acknowledged it; a re-send of a still pending event
 * is published again (the log writer drops the copy), so a crash between claim and publish loses nothing.
 */
@Component
class IntakeLedger {

    enum Claim {
        /** First time seen: publish it. */
        NEW,
        /** Seen, but its publish may not have completed: publish again. */
        PENDING,
        /** Seen and published already: a duplicate. */
        PUBLISHED,
        /** The id was used for different content. */
        CONFLICT
    }

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    IntakeLedger(DynamoDbClient dynamo, AsofTables tables, Clock clock) {
        this.dynamo = dynamo;
        this.table = tables.intakeEvents();
        this.clock = clock;
    }

    Claim claim(String eventId, String fingerprint, String customerId) {
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(Map.of(
                            AsofTables.EVENT_ID,
                            AttributeValue.fromS(eventId),
                            "fingerprint",
                            AttributeValue.fromS(fingerprint),
                            "customer_id",
                            AttributeValue.fromS(customerId),
                            "state",
                            AttributeValue.fromS("pending"),
                            "first_seen",
                            AttributeValue.fromS(clock.instant().toString())))
                    .conditionExpression("attribute_not_exists(#id)")
                    .expressionAttributeNames(Map.of("#id", AsofTables.EVENT_ID)));
            return Claim.NEW;
        } catch (ConditionalCheckFailedException seenBefore) {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                            .consistentRead(true)
                            .key(Map.of(AsofTables.EVENT_ID, AttributeValue.fromS(eventId))))
                    .item();
            if (!fingerprint.equals(item.get("fingerprint").s())) {
                return Claim.CONFLICT;
            }
            return "published".equals(item.get("state").s()) ? Claim.PUBLISHED : Claim.PENDING;
        }
    }

    void markPublished(String eventId) {
        dynamo.updateItem(b -> b.tableName(table)
                .key(Map.of(AsofTables.EVENT_ID, AttributeValue.fromS(eventId)))
                .updateExpression("SET #s = :published")
                .expressionAttributeNames(Map.of("#s", "state"))
                .expressionAttributeValues(Map.of(":published", AttributeValue.fromS("published"))));
    }
}
