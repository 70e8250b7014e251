package dev.asof.ingestion.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.storage.AsofTables;
import java.net.http.HttpResponse;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** What the campaign integration tests check the same way. */
final class CampaignTests {

    private CampaignTests() {}

    /** The answer is an {@code application/problem+json} with {@code status} and, unless {@code null}, type {@code kind}. */
    static void assertProblem(HttpResponse<String> response, int status, String kind) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        if (kind != null) {
            assertThat(response.body()).contains("/problems/" + kind);
        }
    }

    /** The campaign's item, read consistently. */
    static Map<String, AttributeValue> item(DynamoDbClient dynamo, AsofTables tables, String campaignId) {
        return dynamo.getItem(b -> b.tableName(tables.campaigns())
                        .consistentRead(true)
                        .key(Map.of(AsofTables.CAMPAIGN_ID, AttributeValue.fromS(campaignId))))
                .item();
    }

    /** How many chunks of the campaign's upload are stored. */
    static int chunksOf(DynamoDbClient dynamo, AsofTables tables, String campaignId) {
        String upload =
                item(dynamo, tables, campaignId).get(AsofTables.UPLOAD_ID).s();
        return dynamo.query(b -> b.tableName(tables.campaignChunks())
                        .consistentRead(true)
                        .keyConditionExpression("upload_id = :u")
                        .expressionAttributeValues(Map.of(":u", AttributeValue.fromS(upload))))
                .items()
                .size();
    }
}
