package dev.asof.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With no Kafka broker reachable, intake answers 503 with Retry-After quickly instead of hanging. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KafkaUnavailableIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        // no campaign runner: a cached context's runner would take other test classes' campaigns
        registry.add("asof.campaigns.runner-enabled", () -> "false");
        int nothingListens = SharedInfrastructure.freePort();
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + nothingListens);
        registry.add("spring.kafka.listener.auto-startup", () -> "false");
        registry.add("spring.kafka.admin.auto-create", () -> "false");
    }

    @LocalServerPort
    int port;

    @Test
    void intakeAnswers503WithRetryAfterAndThenFailsFastWhileTheBreakerIsOpen() {
        ApiClient api = ApiClient.localhost(port);
        String customer = Events.newCustomerId("cust");
        HttpResponse<String> response = null;
        for (int i = 0; i < 5; i++) {
            response = api.postJson(
                    "/api/v1/events",
                    TestApiKeys.ALL_SCOPES,
                    Events.attributeChange(
                            UUID.randomUUID().toString(),
                            customer,
                            "2026-11-25T14:30:00Z",
                            "tier",
                            null,
                            "gold" + i,
                            "voice"));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(response.body()).contains("/problems/event-stream-unavailable");
        }
        assertThat(response.body()).contains("circuit open");
    }
}
