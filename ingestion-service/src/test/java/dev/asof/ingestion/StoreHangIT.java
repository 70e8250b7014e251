package dev.asof.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.AsofTables;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * DynamoDB that hangs instead of failing (dynalite paused with SIGSTOP): intake answers 503 with Retry-After
 * instead of hanging, health answers and says DOWN, the log writer's partition is reported stuck, and once the
 * store is back (SIGCONT) the waiting event lands and health is UP again. Nothing is lost.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StoreHangIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        // no campaign runner: a cached context's runner would take other test classes' campaigns
        registry.add("asof.campaigns.runner-enabled", () -> "false");
        registry.add("asof.log-writer.stuck-after", () -> "3s");
    }

    @LocalServerPort
    int port;

    @Autowired
    AsofTables tables;

    @Test
    void aHungStoreGivesFast503sAndDownHealthAndNothingIsLost() throws Exception {
        ApiClient api = ApiClient.localhost(port);
        String customer = Events.newCustomerId("cust_hang");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/actuator/health", null).statusCode() == 200);
        String waiting = Events.attributeChange(
                UUID.randomUUID().toString(), customer, "2026-11-25T14:30:00Z", "tier", null, "gold", "voice");

        ProcessHandle dynalite = SharedInfrastructure.dynaliteProcess();
        SharedInfrastructure.signal(dynalite, "STOP");
        try {
            // The API client gives up after 30 s: an answer at all proves no hang; the docs promise about 2 s.
            HttpResponse<String> refused = api.postJson(
                    "/api/v1/events",
                    TestApiKeys.ALL_SCOPES,
                    Events.attributeChange(
                            UUID.randomUUID().toString(),
                            customer,
                            "2026-11-25T14:31:00Z",
                            "tier",
                            null,
                            "x",
                            "voice"));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(refused.body()).contains("/problems/store-unavailable");

            HttpResponse<String> health = api.get("/actuator/health", null);
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"dynamoDbHealth\":{\"status\":\"DOWN\"");

            // An event already in Kafka waits; its partition is reported stuck.
            try (KafkaProducer<String, String> producer = producer()) {
                producer.send(new ProducerRecord<>(AsofTopics.PROFILE_EVENTS, customer, waiting))
                        .get();
            }
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(
                            () -> assertThat(api.get("/actuator/health", null).body())
                                    .contains("\"logWriter\":{\"status\":\"DOWN\""));
            HttpResponse<String> metrics = api.get("/actuator/prometheus", TestApiKeys.ALL_SCOPES);
            assertThat(metrics.body()).containsPattern("asof_log_stuck_partitions\\S* [1-9]");
        } finally {
            SharedInfrastructure.signal(dynalite, "CONT");
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(SharedInfrastructure.dynamoClient()
                            .query(b -> b.tableName(tables.eventLog())
                                    .consistentRead(true)
                                    .keyConditionExpression("customer_id = :c")
                                    .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(customer))))
                            .items())
                    .hasSize(1);
            assertThat(api.get("/actuator/health", null).statusCode()).isEqualTo(200);
        });
    }

    private static KafkaProducer<String, String> producer() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers());
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }
}
