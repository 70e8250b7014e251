package dev.asof.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.support.storage.AsofTables;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.SilentServer;
import dev.asof.testing.TestApiKeys;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * With the KEK in AWS KMS ({@code asof.privacy.kek-uri}) and KMS accepting connections but never answering, intake
 * answers {@code 503 key-service-unavailable} with {@code Retry-After} within the KMS timeout instead of hanging,
 * and leaves no ledger entry, so the same event sent again later is taken as new.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KeyServiceOutageIT {

    private static SilentServer silentKms;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws IOException {
        AsofTestProperties.register(registry);
        // no campaign runner: a cached context's runner would take other test classes' campaigns
        registry.add("asof.campaigns.runner-enabled", () -> "false");
        silentKms = SilentServer.start();
        registry.add(
                "asof.privacy.kek-uri",
                () -> "aws-kms://arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        registry.add("asof.privacy.kms-endpoint", () -> "http://127.0.0.1:" + silentKms.port());
        registry.add("asof.privacy.kms-timeout", () -> "2s");
    }

    @AfterAll
    static void close() throws IOException {
        silentKms.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    AsofTables tables;

    @Test
    void intakeAnswers503AndRecordsNothingWhileKmsHangs() {
        ApiClient api = ApiClient.localhost(port);
        String eventId = UUID.randomUUID().toString();
        String event = Events.attributeChange(
                eventId,
                Events.newCustomerId("cust"),
                "2026-11-25T14:30:00Z",
                "email",
                null,
                "kms@example.com",
                "voice");

        for (int attempt = 0; attempt < 2; attempt++) {
            HttpResponse<String> response = api.postJson("/api/v1/events", TestApiKeys.ALL_SCOPES, event);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).contains("1");
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(response.body())
                    .contains("/problems/key-service-unavailable")
                    .doesNotContain("kms@example.com");
        }
        assertThat(SharedInfrastructure.dynamoClient()
                        .getItem(b -> b.tableName(tables.intakeEvents())
                                .key(Map.of(AsofTables.EVENT_ID, AttributeValue.fromS(eventId)))
                                .consistentRead(true))
                        .item())
                .isEmpty();
    }
}
