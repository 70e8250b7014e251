package dev.asof.ingestion.campaign;

import static dev.asof.ingestion.campaign.CampaignTests.assertProblem;
import static dev.asof.ingestion.campaign.CampaignTests.chunksOf;
import static dev.asof.ingestion.campaign.CampaignTests.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.EventJson;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.Campaigns;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import tools.jackson.databind.JsonNode;

/**
 * Cancelling campaigns over real HTTP, Kafka and dynalite, with one runner publishing 20 events a second so that a
 * campaign is still running when it is cancelled: the running one stops at its next batch, one waiting behind it is
 * cancelled at once, one whose cancellation was recorded while it waited is ended by the runner that takes it, what
 * was published stays logged exactly once and nothing is published after, and the counts add up.
 */
// closed after the class: its campaign runner must not take the campaigns of the test classes after it
@DirtiesContext
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "asof.campaigns.rate=20",
            "asof.campaigns.min-rate=20",
            "asof.campaigns.batch-size=10",
            "asof.campaigns.poll-interval=200ms"
        })
class CampaignCancelIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    AsofTables tables;

    @Autowired
    Campaigns campaigns;

    ApiClient api;
    final DynamoDbClient dynamo = SharedInfrastructure.dynamoClient();

    @BeforeEach
    void client() {
        api = ApiClient.localhost(port);
    }

    @Test
    void aRunningCampaignStopsAtItsNextBatchAndOneWaitingBehindItStopsAtOnce() {
        List<String> running = customers(300);
        List<String> waiting = customers(40);
        List<String> queued = customers(30);
        String runningId = upload(running);
        String waitingId = upload(waiting);
        String queuedId = upload(queued);
        // the runner takes campaigns one at a time, oldest first: the second waits while the first publishes
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> status(runningId).get("events_logged").asLong() > 0);

        // a caller that takes no JSON answer is refused before anything is recorded (a probe found the cancellation
        // done and then answered 406)
        HttpResponse<String> notAcceptable = api.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/v1/campaigns/" + waitingId + "/cancel"))
                .header("Authorization", "Bearer " + TestApiKeys.EVENTS_WRITE_ONLY)
                .header("Accept", "text/plain")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(notAcceptable.statusCode()).isEqualTo(406);
        assertThat(status(waitingId).get("cancel_requested_at").isNull())
                .as("nothing recorded")
                .isTrue();

        HttpResponse<String> waitingCancelled = cancel(waitingId);
        assertThat(waitingCancelled.statusCode()).as(waitingCancelled.body()).isEqualTo(200);
        JsonNode waitingNow = EventJson.parse(waitingCancelled.body());
        assertThat(waitingNow.get("state").asString()).isEqualTo("cancelled");
        assertThat(waitingNow.get("lines_cancelled").asLong()).isEqualTo(40);
        assertThat(waitingNow.get("events_published").asLong()).isZero();
        assertThat(waitingNow.get("cancel_requested_at").isNull()).isFalse();
        assertThat(waitingNow.get("completed_at").isNull()).isFalse();
        assertThat(chunksOf(dynamo, tables, waitingId))
                .as("its chunks are deleted")
                .isZero();
        assertThat(item(dynamo, tables, waitingId)).as("and its staging key").doesNotContainKey("staging_key");

        // recorded while nobody holds it, as when a runner died: the next runner to take it ends it unpublished
        assertThat(campaigns.requestCancel(queuedId, Instant.now())).isPresent();
        // and its key lost meanwhile: a cancelled campaign is ended without opening it (else it would fail)
        dynamo.updateItem(b -> b.tableName(tables.campaigns())
                .key(Map.of(AsofTables.CAMPAIGN_ID, AttributeValue.fromS(queuedId)))
                .updateExpression("REMOVE staging_key"));

        HttpResponse<String> runningCancelled = cancel(runningId);
        // 202 while its runner stops it; 200 only when the runner's check before a batch won the race and it is
        // cancelled already (either way it was the runner, holding the lease, that stopped it part way)
        assertThat(runningCancelled.statusCode()).as(runningCancelled.body()).isIn(200, 202);
        assertThat(EventJson.parse(runningCancelled.body())
                        .get("cancel_requested_at")
                        .isNull())
                .isFalse();
        JsonNode stopped = awaitState(runningId, "cancelled");
        long published = stopped.get("events_published").asLong();
        assertThat(published)
                .as("stopped part way, at a batch boundary")
                .isPositive()
                .isLessThan(300);
        assertThat(published % 10).isZero();
        assertThat(published + stopped.get("lines_cancelled").asLong()).isEqualTo(300);
        assertThat(chunksOf(dynamo, tables, runningId)).isZero();

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> status(runningId).get("events_logged").asLong() == published);
        // published lines are logged exactly once; nothing is published after the cancellation, now or later
        sleep(Duration.ofSeconds(2));
        assertThat(loggedCustomers(running)).isEqualTo(published);
        assertThat(status(runningId).get("events_logged").asLong()).isEqualTo(published);
        assertThat(loggedCustomers(waiting)).isZero();

        JsonNode queuedNow = awaitState(queuedId, "cancelled");
        assertThat(queuedNow.get("events_published").asLong()).isZero();
        assertThat(queuedNow.get("lines_cancelled").asLong()).isEqualTo(30);
        assertThat(chunksOf(dynamo, tables, queuedId)).isZero();
        assertThat(loggedCustomers(queued)).isZero();

        HttpResponse<String> again = cancel(runningId);
        assertThat(again.statusCode())
                .as("repeating a cancellation is harmless")
                .isEqualTo(200);
        assertThat(EventJson.parse(again.body()).get("state").asString()).isEqualTo("cancelled");
    }

    @Test
    void aFinishedUnknownOrMalformedCampaignOrACallerWithoutTheWriteScopeIsRefused() {
        String done = upload(customers(2));
        awaitState(done, "completed");
        HttpResponse<String> finished = cancel(done);
        assertProblem(finished, 409, "campaign-finished");
        assertThat(status(done).get("state").asString()).isEqualTo("completed");

        assertProblem(cancel(UUID.randomUUID().toString()), 404, "campaign-not-found");
        assertProblem(cancel("not-a-campaign"), 400, null);
        assertThat(cancel("not-a-campaign").body()).contains("campaign_id");
        HttpResponse<String> readOnly =
                api.post("/api/v1/campaigns/" + done + "/cancel", TestApiKeys.PROFILE_READ_ONLY, "text/plain", "");
        assertProblem(readOnly, 403, null);
        HttpResponse<String> anonymous = api.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/campaigns/" + done + "/cancel"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    // ---------------------------------------------------------------------------------------------------------

    private static List<String> customers(int count) {
        List<String> customers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            customers.add(Events.newCustomerId("cancel"));
        }
        return customers;
    }

    private String upload(List<String> customers) {
        StringBuilder csv = new StringBuilder("customer_id,tier\n");
        customers.forEach(customer -> csv.append(customer).append(",gold\n"));
        HttpResponse<String> response = api.post(
                "/api/v1/campaigns?name=cancel-test&timestamp_utc=2026-11-30T09:00:00Z",
                TestApiKeys.EVENTS_WRITE_ONLY,
                "text/csv",
                csv.toString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return EventJson.parse(response.body()).get("campaign_id").asString();
    }

    private HttpResponse<String> cancel(String campaignId) {
        return api.post("/api/v1/campaigns/" + campaignId + "/cancel", TestApiKeys.EVENTS_WRITE_ONLY, "text/plain", "");
    }

    private JsonNode status(String campaignId) {
        HttpResponse<String> response = api.get("/api/v1/campaigns/" + campaignId, TestApiKeys.ALL_SCOPES);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return EventJson.parse(response.body());
    }

    private JsonNode awaitState(String campaignId, String state) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    last[0] = status(campaignId);
                    assertThat(last[0].get("state").asString())
                            .as(last[0].toString())
                            .isEqualTo(state);
                });
        return last[0];
    }

    /** How many of {@code customers} have a log item (each campaign line gives its customer exactly one). */
    private long loggedCustomers(List<String> customers) {
        long logged = 0;
        for (String customer : customers) {
            int items = dynamo.query(b -> b.tableName(tables.eventLog())
                            .consistentRead(true)
                            .keyConditionExpression("customer_id = :c")
                            .expressionAttributeValues(Map.of(":c", AttributeValue.fromS(customer))))
                    .items()
                    .size();
            assertThat(items).as("a line is logged at most once: " + customer).isLessThanOrEqualTo(1);
            logged += items;
        }
        return logged;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
