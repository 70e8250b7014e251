package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.submission.IdempotentRequests;
import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.submission.Submission;
import dev.asof.submission.SubmissionMapping;
import dev.asof.submission.SubmissionResult;
import dev.asof.support.web.ApiProblemException;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.TestApiKeys;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * merge-service's commands go through the same write path as ingestion's endpoints, against the real Kafka broker
 * and dynalite: re-sends are duplicates, a reused event id is refused, and an Idempotency-Key replays its answer.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MergeWritePathIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    ProfileEventSubmitter submitter;

    @Autowired
    IdempotentRequests requests;

    @Test
    void theSameEventTwiceIsAcceptedThenADuplicate() {
        EventEnvelope event = change(UUID.randomUUID().toString(), Events.newCustomerId("merge"), "gold");

        List<SubmissionResult> first = submitter.submit(List.of(event), "merge", null, "corr-1");
        List<SubmissionResult> again = submitter.submit(List.of(event), "merge", null, "corr-2");

        assertThat(first).singleElement().satisfies(result -> {
            assertThat(result.status()).isEqualTo("accepted");
            assertThat(result.eventId()).isEqualTo(event.eventId());
        });
        assertThat(again).singleElement().satisfies(result -> {
            assertThat(result.status()).isEqualTo("duplicate");
            assertThat(result.reason()).isEqualTo("already accepted");
        });
    }

    @Test
    void anEventIdReusedForOtherContentIsRejected() {
        String eventId = UUID.randomUUID().toString();
        String customer = Events.newCustomerId("merge");
        submitter.submit(List.of(change(eventId, customer, "gold")), "merge", null, null);

        List<SubmissionResult> reused =
                submitter.submit(List.of(change(eventId, customer, "silver")), "merge", null, null);

        assertThat(reused).singleElement().satisfies(result -> {
            assertThat(result.status()).isEqualTo("rejected");
            assertThat(result.reason()).isEqualTo("event-id-reused");
            assertThat(result.errors())
                    .singleElement()
                    .satisfies(error -> assertThat(error)
                            .containsEntry("pointer", "/event_id")
                            .containsEntry("rule", "event-id-reused"));
        });
    }

    @Test
    void anIdempotencyKeyReplaysItsAnswerAndRefusesAnotherBody() {
        var caller = new TestingAuthenticationToken("merge-test", null);
        String key = UUID.randomUUID().toString();
        String customer = Events.newCustomerId("merge");
        String body = EventJson.encode(change(UUID.randomUUID().toString(), customer, "gold"));
        String otherBody = EventJson.encode(change(UUID.randomUUID().toString(), customer, "silver"));

        ResponseEntity<String> first = requests.handle(caller, "/api/v1/merges", body, key, null, submission(body));
        ResponseEntity<String> replay = requests.handle(caller, "/api/v1/merges", body, key, null, submission(body));

        assertThat(first.getStatusCode().value()).isEqualTo(202);
        assertThat(first.getBody()).contains("\"status\":\"accepted\"");
        assertThat(replay.getStatusCode().value()).isEqualTo(202);
        assertThat(replay.getBody()).isEqualTo(first.getBody());
        assertThat(replay.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
        assertThatThrownBy(() -> requests.handle(caller, "/api/v1/merges", otherBody, key, null, submission(otherBody)))
                .isInstanceOfSatisfying(ApiProblemException.class, problem -> {
                    assertThat(problem.problem().getStatus()).isEqualTo(422);
                    assertThat(problem.problem().getType().toString()).endsWith("idempotency-key-reused");
                });
    }

    @Test
    void healthStaysUpWithTheWritePathWired() {
        var health = ApiClient.localhost(port).get("/actuator/health", TestApiKeys.ALL_SCOPES);

        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
    }

    private static java.util.function.Function<IdempotentRequests.Context, Submission> submission(String body) {
        return context -> new Submission(
                "merge",
                List.of(EventJson.parse(body)),
                SubmissionMapping.ENVELOPE,
                false,
                context.idempotencyScope(),
                context.correlationId());
    }

    static EventEnvelope change(String eventId, String customer, String tier) {
        return EventJson.decode(
                Events.attributeChange(eventId, customer, "2026-01-15T10:00:00Z", "tier", null, tier, "voice"));
    }
}
