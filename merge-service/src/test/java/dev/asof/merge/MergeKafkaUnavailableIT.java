package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.web.ApiProblemException;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With no Kafka broker reachable, merge-service's commands get ingestion's answer: 503 with Retry-After. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class MergeKafkaUnavailableIT {

    @LocalServerPort
    int port;

    @Autowired
    EventLog eventLog;

    @Autowired
    IdentityLinks identityLinks;

    @Test
    void aMergeByApiIsA503WithRetryAfterAndNothingIsStoredUnderItsKey() {
        IdentityLogFixture log = new IdentityLogFixture(eventLog, identityLinks);
        String a = Events.newCustomerId("ka");
        String b = Events.newCustomerId("kb");
        log.seed(a, "2026-01-01T00:00:00Z");
        log.seed(b, "2026-01-01T00:00:00Z");
        ApiClient api = ApiClient.localhost(port);
        String key = UUID.randomUUID().toString();

        for (int attempt = 0; attempt < 2; attempt++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/merges"))
                    .header("Authorization", "Bearer " + TestApiKeys.ALL_SCOPES)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString(MergeApiIT.body(b, a, "2026-02-01T00:00:00Z")))
                    .build();
            HttpResponse<String> response = api.send(request);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.body()).contains("/problems/event-stream-unavailable");
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            // the retry is decided again, not replayed: a failure is not stored under the key. The first attempt kept
            // its leases (its event may yet reach Kafka), and the retry, writing the same event, takes them over
        }
        // reads do not need Kafka
        assertThat(api.get("/api/v1/customers/" + a + "/identity", TestApiKeys.PROFILE_READ_ONLY)
                        .statusCode())
                .isEqualTo(200);
    }

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        int nothingListens = SharedInfrastructure.freePort();
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + nothingListens);
        registry.add("spring.kafka.listener.auto-startup", () -> "false");
        registry.add("spring.kafka.admin.auto-create", () -> "false");
    }

    @Autowired
    ProfileEventSubmitter submitter;

    @Test
    void commandsAnswer503WithRetryAfterAndThenFailFastWhileTheBreakerIsOpen(CapturedOutput output) {
        String customer = Events.newCustomerId("merge");
        ApiProblemException last = null;
        for (int i = 0; i < 5; i++) {
            var event = MergeWritePathIT.change(UUID.randomUUID().toString(), customer, "gold" + i);
            Throwable thrown = catchThrowable(() -> submitter.submit(List.of(event), "merge", null, null));
            assertThat(thrown).isInstanceOf(ApiProblemException.class);
            last = (ApiProblemException) thrown;
            assertThat(last.problem().getStatus()).isEqualTo(503);
            assertThat(last.problem().getType().toString()).endsWith("/problems/event-stream-unavailable");
            assertThat(last.headers()).containsKey("Retry-After");
        }
        assertThat(last.getMessage()).contains("circuit open");
        // a failed send is logged without the record: no key, no value
        assertThat(output.getAll())
                .doesNotContain("payload=")
                .doesNotContain("gold0")
                .doesNotContain(customer);
    }
}
