package dev.asof.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.IdentityStateCodec;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The intake over real HTTP, a real Kafka broker and a real dynalite. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EventIntakeIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    AsofTables tables;

    ApiClient api;
    final DynamoDbClient dynamo = SharedInfrastructure.dynamoClient();

    @BeforeEach
    void client() {
        api = ApiClient.localhost(port);
    }

    @Test
    void acceptedEventLandsInTheLogAndTheView() {
        String customer = Events.newCustomerId("cust");
        String eventId = UUID.randomUUID().toString();

        HttpResponse<String> response = api.postJson(
                "/api/v1/events",
                TestApiKeys.ALL_SCOPES,
                Events.attributeChange(
                        eventId,
                        customer,
                        "2026-11-26T14:30:00.123Z",
                        "preferred_language",
                        "en-US",
                        "es-ES",
                        "voice"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.body()).contains("\"event_id\":\"" + eventId + "\"", "\"status\":\"accepted\"");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(logItems(customer)).hasSize(1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, AttributeValue> view = dynamo.getItem(b -> b.tableName(tables.profileView())
                            .consistentRead(true)
                            .key(Map.of(AsofTables.CUSTOMER_ID, AttributeValue.fromS(customer))))
                    .item();
            assertThat(view).isNotEmpty();
            assertThat(IdentityStateCodec.decode(view.get("state").s())
                            .visibleAttributes()
                            .get("preferred_language")
                            .value()
                            .asText())
                    .isEqualTo("es-ES");
        });
    }

    @Test
    void theSameEventSentThreeTimesIsLoggedOnce() {
        String customer = Events.newCustomerId("cust");
        String event = Events.attributeChange(
                UUID.randomUUID().toString(), customer, "2026-11-26T14:30:00Z", "tier", "silver", "gold", "chat");

        for (int i = 0; i < 3; i++) {
            assertThat(api.postJson("/api/v1/events", TestApiKeys.ALL_SCOPES, event)
                            .statusCode())
                    .isEqualTo(202);
        }

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(logItems(customer)).hasSize(1));
        // A later event for the same customer proves the three copies were all consumed before it.
        String marker = Events.attributeChange(
                UUID.randomUUID().toString(), customer, "2026-11-26T14:31:00Z", "tier", "gold", "platinum", "chat");
        api.postJson("/api/v1/events", TestApiKeys.ALL_SCOPES, marker);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(logItems(customer)).hasSize(2));
    }

    @Test
    void aChangeToTheSameValueIsIgnored() {
        String customer = Events.newCustomerId("cust");
        HttpResponse<String> response = api.postJson(
                "/api/v1/events",
                TestApiKeys.ALL_SCOPES,
                Events.attributeChange(
                        UUID.randomUUID().toString(),
                        customer,
                        "2026-11-26T14:30:00Z",
                        "tier",
                        "gold",
                        "gold",
                        "voice"));

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).contains("\"status\":\"ignored\"");
    }

    @Test
    void anInvalidEventIsA400ThatNamesTheFieldAndTheRule() {
        String body = Events.attributeChange(
                UUID.randomUUID().toString(), "cust_x", "2026-11-26T14:30:00", "Bad Key", null, "x", "voice");

        HttpResponse<String> response = api.postJson("/api/v1/events", TestApiKeys.ALL_SCOPES, body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("/timestamp_utc", "/payload/attribute_key", "/problems/invalid-request");
    }

    @Test
    void malformedJsonIsA400() {
        HttpResponse<String> response = api.postJson("/api/v1/events", TestApiKeys.ALL_SCOPES, "{\"event_id\": ");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("not valid JSON");
    }

    @Test
    void credentialsAreRequiredWithTheRightScope() {
        String body = Events.attributeChange(
                UUID.randomUUID().toString(), "cust_auth", "2026-11-26T14:30:00Z", "tier", null, "x", "voice");

        HttpResponse<String> none = api.postJson("/api/v1/events", null, body);
        HttpResponse<String> wrong = api.postJson("/api/v1/events", "not-a-key", body);
        HttpResponse<String> readOnly = api.postJson("/api/v1/events", TestApiKeys.PROFILE_READ_ONLY, body);

        assertThat(List.of(none.statusCode(), wrong.statusCode(), readOnly.statusCode()))
                .containsExactly(401, 401, 403);
        for (HttpResponse<String> response : List.of(none, wrong, readOnly)) {
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        }
        assertThat(readOnly.body()).contains("/problems/forbidden");
    }

    @Test
    void healthNeedsNoCredentialsButMetricsDo() {
        assertThat(api.get("/actuator/health", null).statusCode()).isEqualTo(200);
        assertThat(api.get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
        assertThat(api.get("/actuator/prometheus", TestApiKeys.EVENTS_WRITE_ONLY)
                        .statusCode())
                .isEqualTo(403);
        assertThat(api.get("/actuator/prometheus", TestApiKeys.ALL_SCOPES).statusCode())
                .isEqualTo(200);
    }

    @Test
    void wrongMediaTypeIsA415Problem() {
        HttpResponse<String> response = api.post("/api/v1/events", TestApiKeys.ALL_SCOPES, "text/plain", "hello");

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(response.body()).contains("/problems/unsupported-media-type");
    }

    private List<Map<String, AttributeValue>> logItems(String customer) {
        return dynamo.query(b -> b.tableName(tables.eventLog())
                        .consistentRead(true)
                        .keyConditionExpression("customer_id = :c")
                        .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(customer))))
                .items();
    }
}
