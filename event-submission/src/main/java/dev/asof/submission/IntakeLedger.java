package dev.asof.submission;

import dev.asof.support.storage.AsofTables;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The intake's record of every accepted {@code event_id} and a fingerprint of its content, written with one
 * conditional put per event. It lets intake answer {@code duplicate} to a re-send from any endpoint, replica or
 * restart, and refuse an id reused for different content (which would otherwise put two events under one id).
 * A re-send is published again all the same: if the first attempt crashed between this write and Kafka's
 * acknowledgement, the re-send is what gets the event in; when it did not, the log writer drops the copy.
 */
class IntakeLedger {

    enum Claim {
        /** First time seen. */
        NEW,
        /** Seen before with the same content. */
        SEEN,
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
            PutItemResponse response = dynamo.putItem(b -> b.tableName(table)
                    .item(Map.of(
                            AsofTables.EVENT_ID,
                            AttributeValue.fromS(eventId),
                            "fingerprint",
                            AttributeValue.fromS(fingerprint),
                            "customer_id",
                            AttributeValue.fromS(customerId),
                            "last_seen",
                            AttributeValue.fromS(clock.instant().toString())))
                    .conditionExpression("attribute_not_exists(#id) OR #fp = :fp")
                    .expressionAttributeNames(Map.of("#id", AsofTables.EVENT_ID, "#fp", "fingerprint"))
                    .expressionAttributeValues(Map.of(":fp", AttributeValue.fromS(fingerprint)))
                    .returnValues(ReturnValue.ALL_OLD));
            return response.hasAttributes() && !response.attributes().isEmpty() ? Claim.SEEN : Claim.NEW;
        } catch (ConditionalCheckFailedException differentContent) {
            return Claim.CONFLICT;
        }
    }
}
