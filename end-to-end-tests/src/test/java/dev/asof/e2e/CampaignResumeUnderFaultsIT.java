package dev.asof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.AttributeValue;
import dev.asof.events.EventJson;
import dev.asof.events.IdentityState;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.IdentityStateCodec;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.ServiceJar;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import tools.jackson.databind.JsonNode;

/**
 * A campaign survives its runner and its log writer being killed (SIGKILL) twice mid-way: each time a new
 * ingestion instance takes the campaign over when the dead one's lease runs out, republishes the chunk that was
 * in flight, and the campaign completes with every good line logged exactly once, counted exactly once, and every
 * customer's view holding the line's values.
 */
class CampaignResumeUnderFaultsIT {

    private static final long SEED = Long.getLong("asof.seed", 20261201L);
    private static final int LINES = 2_000;
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);

    @Test
    void everyGoodLineIsLoggedAndCountedExactlyOnceAcrossTwoCrashes() throws Exception {
        System.out.println("campaign fault test: seed=" + SEED + " (rerun with -Dasof.seed=" + SEED + ")");
        String prefix = "campfault_" + SEED + "_" + UUID.randomUUID().toString().substring(0, 6) + "_";
        Map<String, String> properties = new HashMap<>(AsofTestProperties.all());
        properties.put("asof.dynamodb.table-prefix", prefix);
        properties.put("asof.campaigns.lease", "4s");
        properties.put("asof.campaigns.poll-interval", "250ms");
        properties.put("asof.campaigns.rate", "250");
        properties.put(
                "spring.kafka.consumer.properties.session.timeout.ms", Long.toString(SESSION_TIMEOUT.toMillis()));

        Random random = new Random(SEED);
        String run = "cf" + Long.toHexString(random.nextLong() & 0xffffffL);
        StringBuilder file = new StringBuilder();
        Map<String, String> emails = new HashMap<>();
        Set<Long> badLines = new HashSet<>();
        for (int line = 1; line <= LINES; line++) {
            String customer = run + "_" + line;
            if (random.nextInt(200) == 0) {
                badLines.add((long) line);
                file.append("{\"customer_id\":\"")
                        .append(customer)
                        .append("\",\"changes\":[{\"attribute_key\":\"Bad\"," + "\"new_value\":1}]}\n");
                continue;
            }
            String email = "u" + random.nextInt(1_000_000) + "@example.com";
            emails.put(customer, email);
            file.append("{\"customer_id\":\"")
                    .append(customer)
                    .append("\",\"changes\":[{\"attribute_key\":\"email\",\"new_value\":\"")
                    .append(email)
                    .append("\"},{\"attribute_key\":\"points\",\"new_value\":")
                    .append(line)
                    .append("}]}\n");
        }

        AsofTables tables = new AsofTables(prefix);
        List<ServiceJar> started = new ArrayList<>();
        try (DynamoDbClient dynamo = SharedInfrastructure.dynamoClient()) {
            ServiceJar first = start(started, properties);
            HttpResponse<String> accepted = first.api()
                    .post(
                            "/api/v1/campaigns?name=faults",
                            TestApiKeys.ALL_SCOPES,
                            "application/x-ndjson",
                            file.toString());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            String campaignId =
                    EventJson.parse(accepted.body()).get("campaign_id").asString();
            assertThat(EventJson.parse(accepted.body()).get("lines_rejected").asLong())
                    .isEqualTo(badLines.size());

            awaitLogged(first, campaignId, LINES / 5);
            first.kill();
            ServiceJar second = start(started, properties);
            awaitLogged(second, campaignId, LINES * 3 / 5);
            second.kill();
            ServiceJar third = start(started, properties);

            JsonNode done = await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(500))
                    .until(
                            () -> campaign(third, campaignId),
                            c -> c.get("state").asString().equals("completed"));

            long good = LINES - badLines.size();
            assertThat(done.get("lines_accepted").asLong()).isEqualTo(good);
            assertThat(done.get("events_logged").asLong()).as(done.toString()).isEqualTo(good);
            assertThat(done.get("events_failed").asLong()).isZero();
            assertThat(done.get("errors").findValues("line"))
                    .extracting(JsonNode::asLong)
                    .containsExactlyInAnyOrderElementsOf(badLines);

            ValueCipher cipher = TestCipher.of(dynamo, tables);
            for (int line = 1; line <= LINES; line++) {
                String customer = run + "_" + line;
                var items = dynamo.query(b -> b.tableName(tables.eventLog())
                                .consistentRead(true)
                                .keyConditionExpression("customer_id = :c")
                                .expressionAttributeValues(Map.of(
                                        ":c",
                                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(customer))))
                        .items();
                if (badLines.contains((long) line)) {
                    assertThat(items).as("bad line %d", line).isEmpty();
                    continue;
                }
                assertThat(items).as("line %d logged exactly once", line).hasSize(1);
                var view = dynamo.getItem(b -> b.tableName(tables.profileView())
                                .consistentRead(true)
                                .key(Map.of(
                                        AsofTables.CUSTOMER_ID,
                                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(customer))))
                        .item();
                IdentityState state =
                        IdentityStateCodec.decode(view.get("state").s());
                AttributeValue email =
                        cipher.decrypt(state.visibleAttributes().get("email").value());
                assertThat(email.asText()).as("line %d", line).isEqualTo(emails.get(customer));
            }
            var campaignItem = dynamo.getItem(b -> b.tableName(tables.campaigns())
                            .consistentRead(true)
                            .key(Map.of(
                                    AsofTables.CAMPAIGN_ID,
                                    software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(campaignId))))
                    .item();
            assertThat(campaignItem).doesNotContainKey("staging_key");
            String upload = campaignItem.get(AsofTables.UPLOAD_ID).s();
            assertThat(dynamo.query(b -> b.tableName(tables.campaignChunks())
                                    .consistentRead(true)
                                    .keyConditionExpression("upload_id = :u")
                                    .expressionAttributeValues(Map.of(
                                            ":u",
                                            software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                                    upload))))
                            .items())
                    .as("chunks deleted")
                    .isEmpty();
        } finally {
            started.forEach(ServiceJar::close);
        }
    }

    private static ServiceJar start(List<ServiceJar> started, Map<String, String> properties) {
        ServiceJar jar = ServiceJar.start("ingestion-service", properties);
        started.add(jar);
        return jar;
    }

    private static JsonNode campaign(ServiceJar ingestion, String campaignId) {
        HttpResponse<String> response = ingestion.api().get("/api/v1/campaigns/" + campaignId, TestApiKeys.ALL_SCOPES);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return EventJson.parse(response.body());
    }

    private static void awaitLogged(ServiceJar ingestion, String campaignId, long atLeast) {
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(100))
                .until(() ->
                        campaign(ingestion, campaignId).get("events_logged").asLong() >= atLeast);
    }
}
