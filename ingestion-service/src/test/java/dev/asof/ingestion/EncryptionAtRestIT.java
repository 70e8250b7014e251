package dev.asof.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.AttributeVersion;
import dev.asof.events.EncryptedValues;
import dev.asof.events.EventJson;
import dev.asof.events.IdentityState;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.IdentityStateCodec;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Issue #12's first promise, checked in every store intake writes to: attribute values leave intake encrypted with
 * their customer's key (the Kafka record, the log item, the view), ids, keys and times stay in clear, and the
 * encrypted values open again with the customer's key.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EncryptionAtRestIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        // no campaign runner: a cached context's runner would take other test classes' campaigns
        registry.add("asof.campaigns.runner-enabled", () -> "false");
    }

    @LocalServerPort
    int port;

    @Autowired
    AsofTables tables;

    @Autowired
    ValueCipher cipher;

    ApiClient api;
    final DynamoDbClient dynamo = SharedInfrastructure.dynamoClient();

    @BeforeEach
    void client() {
        api = ApiClient.localhost(port);
    }

    @Test
    void noValueIsReadableInKafkaTheLogOrTheViewAndEachOpensWithItsCustomersKey() {
        String customer = Events.newCustomerId("enc");
        String email = "jane.secret-" + UUID.randomUUID() + "@example.test";
        String oldEmail = "old.secret-" + UUID.randomUUID() + "@example.test";
        String phone = "+44 20 7946 " + (1000 + (int) (Math.random() * 8999));
        String change = Events.attributeChange(
                UUID.randomUUID().toString(), customer, "2026-11-25T14:30:00Z", "email", oldEmail, email, "chat");
        String bulk = """
                {"event_id":"%s","event_type":"BULK_PROFILE_UPDATE","timestamp_utc":"2026-11-25T14:31:00Z",\
                "customer_id":"%s","source_system":"nice_cxone",\
                "payload":{"changes":[{"attribute_key":"phone","new_value":"%s"},\
                {"attribute_key":"loyalty_points","new_value":1250.50},\
                {"attribute_key":"vip","new_value":true},\
                {"attribute_key":"fax","new_value":null}]}}""".formatted(UUID.randomUUID(), customer, phone);

        assertThat(api.postJson("/api/v1/events", TestApiKeys.ALL_SCOPES, "[" + change + "," + bulk + "]")
                        .statusCode())
                .isEqualTo(202);

        List<String> secrets = List.of(email, oldEmail, phone, "1250.50");
        List<String> records = kafkaRecordsOf(customer, 2);
        assertThat(records).hasSize(2);
        for (String record : records) {
            assertThat(record).doesNotContain(secrets).contains(EncryptedValues.PREFIX + customer + ":");
            // structure stays in clear: the log remains an audit trail without any key
            assertThat(record).contains("\"customer_id\":\"" + customer + "\"");
        }
        assertThat(records.get(1)).contains("\"attribute_key\":\"fax\"", "\"new_value\":null");

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(logItems(customer)).hasSize(2));
        for (Map<String, AttributeValue> item : logItems(customer)) {
            assertThat(item.toString()).doesNotContain(secrets);
        }
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(view(customer)).isNotEmpty());
        Map<String, AttributeValue> view = view(customer);
        assertThat(view.toString()).doesNotContain(secrets);

        IdentityState state = IdentityStateCodec.decode(view.get("state").s());
        Map<String, AttributeVersion> attributes = state.visibleAttributes();
        assertThat(EncryptedValues.isCiphertext(attributes.get("email").value()))
                .isTrue();
        IdentityState opened = cipher.decrypt(state);
        assertThat(opened.visibleAttributes().get("email").value().asText()).isEqualTo(email);
        assertThat(opened.visibleAttributes().get("phone").value().asText()).isEqualTo(phone);
        assertThat(EventJson.valueNode(
                                opened.visibleAttributes().get("loyalty_points").value())
                        .toString())
                .as("an exact number keeps its scale through encryption")
                .isEqualTo("1250.50");
        assertThat(opened.visibleAttributes().get("vip").value().asText()).isEqualTo("true");
        assertThat(opened.attributes().get("fax").isPresent()).isFalse();
    }

    @Test
    void aResendIsRecognisedByItsPlaintextAndAnIdReusedForOtherContentIsStillRefused() {
        String customer = Events.newCustomerId("enc");
        String eventId = UUID.randomUUID().toString();
        String event = Events.attributeChange(
                eventId, customer, "2026-11-25T14:30:00Z", "email", null, "a-" + eventId + "@x.test", "chat");

        assertThat(api.postJson("/api/v1/events", TestApiKeys.ALL_SCOPES, event).body())
                .contains("\"status\":\"accepted\"");
        // encrypting twice gives two different ciphertexts; the ledger compares what the client sent
        assertThat(api.postJson("/api/v1/events", TestApiKeys.ALL_SCOPES, event).body())
                .contains("\"status\":\"duplicate\"");
        HttpResponse<String> reused = api.postJson(
                "/api/v1/events",
                TestApiKeys.ALL_SCOPES,
                Events.attributeChange(
                        eventId, customer, "2026-11-25T14:30:00Z", "email", null, "other@x.test", "chat"));
        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(reused.body()).contains("event-id-reused").doesNotContain("other@x.test");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(logItems(customer)).hasSize(1));
    }

    @Test
    void anEventThatFitsAsPlaintextButNotEncryptedIsRefusedBeforeAnythingIsWritten() {
        String customer = Events.newCustomerId("enc");
        String eventId = UUID.randomUUID().toString();
        // 500 changes with a 220-character previous and new value each: about 250 KB of JSON as sent (under the
        // 256 KiB limit), about 420 KB once every value is encrypted (over the 360 KiB an encrypted event may take)
        StringBuilder changes = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            String value = String.format("%03d", i) + "x".repeat(217);
            changes.append(i == 0 ? "" : ",")
                    .append("{\"attribute_key\":\"k")
                    .append(i)
                    .append("\",\"previous_value\":\"")
                    .append(value)
                    .append("\",\"new_value\":\"")
                    .append(value.replace('x', 'y'))
                    .append("\"}");
        }
        String bulk = """
                {"event_id":"%s","event_type":"BULK_PROFILE_UPDATE","timestamp_utc":"2026-11-25T14:31:00Z",\
                "customer_id":"%s","payload":{"changes":[%s]}}""".formatted(eventId, customer, changes);
        assertThat(bulk.length()).isLessThan(256 * 1024);

        HttpResponse<String> response = api.postJson("/api/v1/events", TestApiKeys.ALL_SCOPES, bulk);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("event-size", "once its values are encrypted");
        assertThat(ledgerEntry(eventId))
                .as("no ledger entry for a refused event")
                .isEmpty();
    }

    /**
     * An outside probe's bulk update: 500 values of 400 characters, under both event limits, but a profile too large
     * for one item on its own. It was answered 202 and then dead-lettered by the log writer; now refused at intake.
     */
    @Test
    void aBulkUpdateTooLargeForAProfileOnItsOwnIsRefusedBeforeAnythingIsWritten() {
        String customer = Events.newCustomerId("enc_wide");
        String eventId = UUID.randomUUID().toString();
        StringBuilder changes = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            changes.append(i == 0 ? "" : ",")
                    .append("{\"attribute_key\":\"k")
                    .append(String.format("%04d", i))
                    .append("\",\"new_value\":\"")
                    .append("v".repeat(400))
                    .append("\"}");
        }
        String bulk = """
                {"event_id":"%s","event_type":"BULK_PROFILE_UPDATE","timestamp_utc":"2026-11-15T00:00:00Z",\
                "customer_id":"%s","source_system":"probe","payload":{"changes":[%s]}}""".formatted(eventId, customer, changes);

        HttpResponse<String> response = api.postJson("/api/v1/events", TestApiKeys.ALL_SCOPES, bulk);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body())
                .contains("profile-too-large", "/payload/changes")
                .doesNotContain("vvvv");
        assertThat(ledgerEntry(eventId))
                .as("no ledger entry for a refused event")
                .isEmpty();
        // in a batch: that event refused, the others accepted
        String small = Events.attributeChange(
                UUID.randomUUID().toString(), customer, "2026-11-15T00:00:01Z", "tier", null, "gold", "voice");
        HttpResponse<String> batch =
                api.postJson("/api/v1/events", TestApiKeys.ALL_SCOPES, "[" + bulk + "," + small + "]");
        assertThat(batch.body()).contains("\"profile-too-large\"", "\"accepted\"");
        // the same event inside a Genesys EventBridge event: the rule names the field where Genesys sent it
        String genesys = """
                {"id":"%s","detail-type":"customer.profile.bulk","time":"2026-11-15T00:00:00Z","detail":%s}""".formatted(
                UUID.randomUUID(), bulk.replace(eventId, UUID.randomUUID().toString()));
        HttpResponse<String> wrapped = api.postJson("/api/v1/ingest/genesys", TestApiKeys.ALL_SCOPES, genesys);
        assertThat(wrapped.statusCode()).as(wrapped.body()).isEqualTo(400);
        assertThat(wrapped.body())
                .contains("profile-too-large", "\"/detail/payload/changes\"")
                .doesNotContain("vvvv");
    }

    private Map<String, AttributeValue> ledgerEntry(String eventId) {
        return dynamo.getItem(b -> b.tableName(tables.intakeEvents())
                        .consistentRead(true)
                        .key(Map.of(AsofTables.EVENT_ID, AttributeValue.fromS(eventId))))
                .item();
    }

    private List<String> kafkaRecordsOf(String customer, int expected) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "enc-check-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(AsofTopics.PROFILE_EVENTS));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (customer.equals(record.key())) {
                        found.add(record.value());
                    }
                });
                return found.size() >= expected;
            });
        }
        return found;
    }

    private Map<String, AttributeValue> view(String customer) {
        return dynamo.getItem(b -> b.tableName(tables.profileView())
                        .consistentRead(true)
                        .key(Map.of(AsofTables.CUSTOMER_ID, AttributeValue.fromS(customer))))
                .item();
    }

    private List<Map<String, AttributeValue>> logItems(String customer) {
        return dynamo.query(b -> b.tableName(tables.eventLog())
                        .consistentRead(true)
                        .keyConditionExpression("customer_id = :c")
                        .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(customer))))
                .items();
    }
}
