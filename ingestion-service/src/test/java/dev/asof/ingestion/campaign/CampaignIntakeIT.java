package dev.asof.ingestion.campaign;

import static dev.asof.ingestion.campaign.CampaignTests.assertProblem;
import static dev.asof.ingestion.campaign.CampaignTests.chunksOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.AttributeValue;
import dev.asof.events.EventJson;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.Campaigns;
import dev.asof.support.storage.IdentityStateCodec;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import tools.jackson.databind.JsonNode;

/**
 * Campaign uploads over real HTTP, Kafka and dynalite: CSV and NDJSON land line by line, bad lines are reported
 * with their numbers while good ones land, a re-upload under the same Idempotency-Key adds nothing, and the
 * limits answer problem+json.
 */
// closed after the class: its campaign runner must not take the campaigns of the test classes after it
@DirtiesContext
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "asof.campaigns.max-lines=300",
            "asof.campaigns.poll-interval=200ms",
            "asof.campaigns.rate=2000",
            "asof.campaigns.upload-timeout=4s",
            "asof.http.streamed-bodies[/api/v1/campaigns]=256KB"
        })
class CampaignIntakeIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    AsofTables tables;

    @Autowired
    ValueCipher cipher;

    @Autowired
    Campaigns campaigns;

    @Autowired
    OrphanChunks orphans;

    ApiClient api;
    final DynamoDbClient dynamo = SharedInfrastructure.dynamoClient();

    @BeforeEach
    void client() {
        api = ApiClient.localhost(port);
    }

    @Test
    void aCsvCampaignLandsLineByLineAndReportsItsBadLines() {
        List<String> customers = new ArrayList<>();
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        write(csv, "customer_id,email,tier\n");
        for (int i = 0; i < 150; i++) {
            String customer = Events.newCustomerId("camp");
            customers.add(customer);
            write(csv, customer + "," + customer + "@example.com," + (i % 2 == 0 ? "gold" : "null") + "\n");
        }
        write(csv, "not a customer id,x@example.com,gold\n"); // line 152
        write(csv, customers.get(0) + ",ragged\n"); // line 153
        csv.writeBytes(new byte[] {'c', ',', (byte) 0xFF, ',', 'x', '\n'}); // line 154: not UTF-8

        HttpResponse<String> response =
                upload("text/csv", csv.toByteArray(), "spring-sale", "2026-11-30T09:00:00Z", null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode accepted = EventJson.parse(response.body());
        String campaignId = accepted.get("campaign_id").asString();
        assertThat(response.headers().firstValue("Location")).hasValue("/api/v1/campaigns/" + campaignId);
        assertThat(accepted.get("lines_total").asLong()).isEqualTo(153);
        assertThat(accepted.get("lines_accepted").asLong()).isEqualTo(150);
        assertThat(accepted.get("lines_rejected").asLong()).isEqualTo(3);
        assertThat(accepted.get("errors").findValues("line"))
                .extracting(JsonNode::asLong)
                .containsExactly(152L, 153L, 154L);
        assertThat(accepted.get("errors").findValues("type"))
                .extracting(JsonNode::asString)
                .containsExactly("pattern", "ragged-row", "encoding");
        assertThat(accepted.get("errors").get(0).get("detail").asString()).startsWith("column customer_id");
        assertThat(response.body()).doesNotContain("x@example.com");

        JsonNode done = awaitCompleted(campaignId);
        assertThat(done.get("events_logged").asLong())
                .as("counted once each, over several batches per partition")
                .isEqualTo(150);
        assertThat(done.get("events_failed").asLong()).isZero();
        assertThat(done.get("started_at").isNull()).isFalse();
        for (int i = 0; i < customers.size(); i++) {
            String customer = customers.get(i);
            List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> log = logItems(customer);
            assertThat(log).as(customer).hasSize(1);
            assertThat(log.get(0).get("event_id").s()).isEqualTo(CampaignEvents.eventId(campaignId, i + 2));
            assertThat(log.get(0).get("event").s())
                    .as("values are encrypted in the log")
                    .doesNotContain(customer + "@example.com")
                    .contains("\"timestamp_utc\":\"2026-11-30T09:00:00.000Z\"", "campaign spring-sale");
            Map<String, AttributeValue> visible = viewOf(customer);
            assertThat(cipher.decrypt(visible.get("email")).asText()).isEqualTo(customer + "@example.com");
        }
        assertThat(viewOf(customers.get(0))).containsKey("tier");
        assertThat(viewOf(customers.get(1))).as("the literal null removes").doesNotContainKey("tier");
        assertThat(chunksOf(dynamo, tables, campaignId))
                .as("chunks are deleted when the campaign completes")
                .isZero();
    }

    @Test
    void anNdjsonCampaignTakesTypedValuesAndReportsBrokenRules() {
        String a = Events.newCustomerId("camp");
        String b = Events.newCustomerId("camp");
        String lines = String.join(
                "\n",
                "{\"customer_id\":\"" + a + "\",\"changes\":[{\"attribute_key\":\"vip\",\"new_value\":true},"
                        + "{\"attribute_key\":\"points\",\"new_value\":1250.5}]}",
                "{\"customer_id\":\"" + b + "\",\"changes\":[{\"attribute_key\":\"Bad Key\",\"new_value\":1}]}",
                "{\"customer_id\":\"" + b + "\",\"changes\":[{\"attribute_key\":\"note\",\"new_value\":\""
                        + "y".repeat(70_000) + "\"}]}",
                "{\"customer_id\":\"" + b + "\",\"changes\":[]}",
                "{oops",
                "{\"customer_id\":\"" + b + "\",\"changes\":[{\"attribute_key\":\"vip\",\"new_value\":1,"
                        + "\"jane.doe@example.com\":1}]}",
                "{\"customer_id\":\"" + b + "\",\"changes\":[{\"attribute_key\":\"vip\",\"new_value\":false}]}");

        HttpResponse<String> response =
                upload("application/x-ndjson", lines.getBytes(StandardCharsets.UTF_8), null, null, null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode accepted = EventJson.parse(response.body());
        assertThat(accepted.get("errors").findValues("line"))
                .extracting(JsonNode::asLong)
                .containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(accepted.get("errors").findValues("type"))
                .extracting(JsonNode::asString)
                .containsExactly("pattern", "value-size", "minItems", "json", "additionalProperties");
        assertThat(accepted.get("errors").get(0).get("detail").asString()).startsWith("/changes/0/attribute_key");
        assertThat(response.body())
                .as("neither a value nor a field name the client made up is stored or shown")
                .doesNotContain("yyyy", "jane.doe");
        assertThat(accepted.get("errors").get(4).get("detail").asString())
                .startsWith("/changes/0: holds a field that is not part of the contract");

        JsonNode done = awaitCompleted(accepted.get("campaign_id").asString());
        assertThat(done.get("events_logged").asLong()).isEqualTo(2);
        assertThat(cipher.decrypt(viewOf(a).get("points")).asText()).isEqualTo("1250.5");
        assertThat(cipher.decrypt(viewOf(b).get("vip"))).isEqualTo(new AttributeValue.Bool(false));
    }

    /**
     * The sweep of chunks nobody will publish, on dynalite: an hour-old upload without a campaign (it died before
     * its commit), a losing upload's and a finished campaign's leftovers go; a fresh upload's and chunks written
     * before their campaign and time were kept stay.
     */
    @Test
    void chunksNoCampaignWillPublishAreSweptOnceOldAndOthersStay() {
        String customer = Events.newCustomerId("camp");
        HttpResponse<String> response = upload(
                "text/csv",
                ("customer_id,tier\n" + customer + ",gold\n").getBytes(StandardCharsets.UTF_8),
                "sweep",
                null,
                null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String finished = EventJson.parse(response.body()).get("campaign_id").asString();
        awaitCompleted(finished);
        String finishedUpload = campaigns.find(finished).orElseThrow().uploadId();

        Instant old = Instant.now().minus(java.time.Duration.ofHours(2));
        String dead = UUID.randomUUID().toString();
        String fresh = UUID.randomUUID().toString();
        String lost = UUID.randomUUID().toString();
        String legacy = UUID.randomUUID().toString();
        campaigns.putChunk(dead, UUID.randomUUID().toString(), 0, new byte[] {1}, 1, old);
        campaigns.putChunk(dead, UUID.randomUUID().toString(), 1, new byte[] {1}, 1, old.plusSeconds(1));
        campaigns.putChunk(fresh, UUID.randomUUID().toString(), 0, new byte[] {1}, 1, Instant.now());
        campaigns.putChunk(lost, finished, 0, new byte[] {1}, 1, old);
        campaigns.putChunk(finishedUpload, finished, 7, new byte[] {1}, 1, old);
        dynamo.putItem(b -> b.tableName(tables.campaignChunks())
                .item(Map.of(
                        AsofTables.UPLOAD_ID,
                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(legacy),
                        AsofTables.CHUNK,
                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN("0"),
                        "data",
                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromB(
                                software.amazon.awssdk.core.SdkBytes.fromByteArray(new byte[] {1})))));

        assertThat(orphans.sweep()).isGreaterThanOrEqualTo(4);

        List<String> left = campaigns.storedChunks(100_000).stream()
                .map(chunk -> chunk.uploadId())
                .toList();
        assertThat(left).contains(fresh, legacy).doesNotContain(dead, lost, finishedUpload);
        campaigns.deleteChunk(fresh, 0);
        campaigns.deleteChunk(legacy, 0);
    }

    @Test
    void theSameUploadUnderTheSameIdempotencyKeyAddsNothingAndAnotherFileIsRefused() {
        String customer = Events.newCustomerId("camp");
        byte[] file = ("customer_id,tier\n" + customer + ",gold\n").getBytes(StandardCharsets.UTF_8);
        String key = "campaign-" + UUID.randomUUID();

        HttpResponse<String> first = upload("text/csv", file, "retry", null, key);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        String campaignId = EventJson.parse(first.body()).get("campaign_id").asString();
        awaitCompleted(campaignId);

        HttpResponse<String> again = upload("text/csv", file, "retry", null, key);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(EventJson.parse(again.body()).get("campaign_id").asString()).isEqualTo(campaignId);

        byte[] other = ("customer_id,tier\n" + customer + ",silver\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> reused = upload("text/csv", other, "retry", null, key);
        assertThat(reused.statusCode()).as(reused.body()).isEqualTo(422);
        assertThat(reused.body()).contains("/problems/idempotency-key-reused");

        // a later interactive event shows everything before it was consumed: still one campaign event logged
        api.postJson(
                "/api/v1/events",
                TestApiKeys.ALL_SCOPES,
                Events.attributeChange(
                        UUID.randomUUID().toString(), customer, "2026-11-30T10:00:00Z", "x", null, "1", "chat"));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(logItems(customer)).hasSize(2));
        assertThat(EventJson.parse(get("/api/v1/campaigns/" + campaignId).body())
                        .get("events_logged")
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void limitsAndBadRequestsAnswerProblemsAndStoreNothing() {
        int before = campaignCount();
        StringBuilder tooMany = new StringBuilder("customer_id,tier\n");
        for (int i = 0; i < 301; i++) {
            tooMany.append("cust_").append(i).append(",gold\n");
        }
        assertProblem(upload("text/csv", bytes(tooMany.toString()), null, null, null), 413, "too-many-lines");
        StringBuilder tooLarge = new StringBuilder("customer_id,note\n");
        while (tooLarge.length() < 300 * 1024) {
            tooLarge.append("cust_1,").append("z".repeat(1000)).append('\n');
        }
        assertProblem(upload("text/csv", bytes(tooLarge.toString()), null, null, null), 413, "body-too-large");
        assertProblem(upload("text/plain", bytes("customer_id,tier\nc,1\n"), null, null, null), 415, null);
        assertProblem(
                upload("text/csv; charset=ISO-8859-1", bytes("customer_id,tier\nc,1\n"), null, null, null),
                415,
                "unsupported-charset");
        assertProblem(upload("text/csv", bytes("email,customer_id\nx,c\n"), null, null, null), 400, "csv-header");
        assertProblem(upload("text/csv", bytes("customer_id,customer_id\nc,a\n"), null, null, null), 400, "csv-header");
        assertProblem(upload("text/csv", bytes("customer_id,tier\n"), null, null, null), 400, "no-lines");
        // the same Idempotency-Key rule and problem as every other endpoint that honours the header
        assertProblem(
                upload("text/csv", bytes("customer_id,tier\nc,1\n"), null, null, "k".repeat(256)),
                400,
                "invalid-idempotency-key");
        assertProblem(
                upload("text/csv", bytes("customer_id,tier\nc,1\n"), null, "2999-01-01T00:00:00Z", null),
                400,
                "invalid-request");
        assertProblem(
                upload("text/csv", bytes("customer_id,tier\nc,1\n"), null, "yesterday", null), 400, "invalid-request");
        assertProblem(
                upload("text/csv", bytes("customer_id,tier\nc,1\n"), null, "1969-12-31T23:59:59Z", null),
                400,
                "invalid-request");
        assertProblem(
                upload("text/csv", bytes("customer_id,tier\nc,1\n"), "n".repeat(129), null, null),
                400,
                "invalid-request");
        // a name given empty or blank is refused, not replaced by the default (an outside probe's "name=" was taken)
        for (String blank : List.of("", "   ")) {
            assertProblem(
                    upload("text/csv", bytes("customer_id,tier\nc,1\n"), blank, null, null), 400, "invalid-request");
        }
        // a client that takes no JSON answer is refused before anything is stored (a probe found the upload stored
        // and then answered 406)
        for (String accept : List.of("text/plain", "text/csv", "text/html")) {
            HttpResponse<String> notAcceptable = api.send(HttpRequest.newBuilder(uri("/api/v1/campaigns"))
                    .header("Content-Type", "text/csv")
                    .header("Accept", accept)
                    .header("Authorization", "Bearer " + TestApiKeys.ALL_SCOPES)
                    .POST(HttpRequest.BodyPublishers.ofString("customer_id,tier\nc,1\n"))
                    .build());
            assertThat(notAcceptable.statusCode()).as("Accept: %s", accept).isEqualTo(406);
        }
        assertThat(campaignCount()).as("nothing was stored").isEqualTo(before);

        HttpResponse<String> anonymous = api.send(HttpRequest.newBuilder(uri("/api/v1/campaigns"))
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("customer_id,tier\nc,1\n"))
                .build());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<String> readOnly = api.send(HttpRequest.newBuilder(uri("/api/v1/campaigns"))
                .header("Content-Type", "text/csv")
                .header("Authorization", "Bearer " + TestApiKeys.PROFILE_READ_ONLY)
                .POST(HttpRequest.BodyPublishers.ofString("customer_id,tier\nc,1\n"))
                .build());
        assertThat(readOnly.statusCode()).isEqualTo(403);
        assertThat(api.get("/api/v1/campaigns", TestApiKeys.PROFILE_READ_ONLY).statusCode())
                .as("reading progress needs profile:read or events:write")
                .isEqualTo(200);
        assertProblem(get("/api/v1/campaigns/" + UUID.randomUUID()), 404, "campaign-not-found");
        assertProblem(get("/api/v1/campaigns/..%2F..%2Fetc"), 400, null);
        assertProblem(get("/api/v1/campaigns/not-a-uuid"), 400, "invalid-request");
        assertProblem(get("/api/v1/campaigns?limit=0"), 400, "invalid-request");
        assertProblem(get("/api/v1/campaigns?limit=abc"), 400, "invalid-request");
    }

    /**
     * Clients trickling their files (a few bytes every half second: never idle long enough for the server's read
     * timeout) hold both upload slots only until asof.campaigns.upload-timeout: then they are refused with nothing
     * stored, and another upload is taken (a probe held both slots for 152 s, refusing everyone else's uploads
     * meanwhile). The refusal reaches them while they are still sending.
     */
    @Test
    void uploadsSlowerThanTheUploadTimeoutAreRefusedStoreNothingAndFreeTheirSlots() throws Exception {
        int before = campaignCount();
        int pieces = 28;
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Trickled>> trickling = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                byte[] file = ("customer_id,tier\n" + Events.newCustomerId("cust_slow") + ",gold\n")
                        .getBytes(StandardCharsets.UTF_8);
                trickling.add(clients.submit(() -> trickle(file, pieces)));
            }
            // a header without lines takes a slot when one is free and is refused (400 no-lines), storing nothing;
            // 503 busy when both are held
            byte[] probe = bytes("customer_id,tier\n");
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .alias("both slots held by the trickling uploads")
                    .until(() -> upload("text/csv", probe, null, null, null).statusCode() == 503);
            // without the deadline both are read to their end (about 14 s) and the slots stay held until then
            await().atMost(Duration.ofSeconds(8))
                    .pollInterval(Duration.ofMillis(500))
                    .alias("a slot freed at the deadline")
                    .until(() -> upload("text/csv", probe, null, null, null).statusCode() == 400);
            for (java.util.concurrent.Future<Trickled> slow : trickling) {
                Trickled refused = slow.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(refused.answer()).startsWith("HTTP/1.1 408 ").contains("/problems/upload-timeout");
                assertThat(refused.allSent()).as("answered while still sending").isFalse();
            }
            assertThat(campaignCount()).as("nothing was stored").isEqualTo(before);
        } finally {
            clients.shutdownNow();
        }
    }

    /** What a trickling client read, and whether it had sent its whole file when the answer came. */
    private record Trickled(String answer, boolean allSent) {}

    /**
     * Sends {@code file} as a campaign in {@code pieces} pieces, half a second apart, over a raw socket, reading the
     * answer as soon as one comes (a client that reads only after sending all would find the connection closed).
     */
    private Trickled trickle(byte[] file, int pieces) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            String head = "POST /api/v1/campaigns HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + TestApiKeys.EVENTS_WRITE_ONLY + "\r\nContent-Type: text/csv\r\nContent-Length: " + file.length
                    + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            int size = (file.length + pieces - 1) / pieces;
            int offset = 0;
            try {
                for (; offset < file.length && socket.getInputStream().available() == 0; offset += size) {
                    socket.getOutputStream().write(file, offset, Math.min(size, file.length - offset));
                    socket.getOutputStream().flush();
                    Thread.sleep(500);
                }
            } catch (java.io.IOException closed) {
                // the service answered and closed the connection
            }
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (java.io.IOException reset) {
                // a reset after the answer: the answer is read
            }
            return new Trickled(answer.toString(StandardCharsets.UTF_8), offset >= file.length);
        }
    }

    /**
     * An upload that breaks off before its end (fewer bytes than its Content-Length, a chunk cut short, a chunk
     * header that is not one; the client then stops sending) is answered 400 unreadable-body, as documented, and
     * stores nothing (an outside probe got the generic bad-request).
     */
    @Test
    void anUploadThatBreaksOffIsUnreadableAndStoresNothing() throws Exception {
        int before = campaignCount();
        String file = "customer_id,tier\n" + Events.newCustomerId("cust_cut") + ",gold\n"
                + Events.newCustomerId("cust_cut") + ",sil";
        String head = "POST /api/v1/campaigns?name=cut HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + TestApiKeys.EVENTS_WRITE_ONLY + "\r\nContent-Type: text/csv\r\n";
        List<String> requests = List.of(
                head + "Content-Length: 1000\r\n\r\n" + file,
                head + "Transfer-Encoding: chunked\r\n\r\n400\r\n" + file,
                head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + file + "\r\n0\r\n\r\n");
        for (String request : requests) {
            String answer = brokenOff(request);
            assertThat(answer).as(request).startsWith("HTTP/1.1 400 ").contains("/problems/unreadable-body");
        }
        assertThat(campaignCount()).as("nothing was stored").isEqualTo(before);
    }

    /** Sends {@code request} and stops sending (half-close); the whole answer. */
    private String brokenOff(String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** 128 characters, the most a name may have, in 249 UTF-16 units (a limit once counted in units refused it). */
    private static final String LISTED_NAME = "listed " + "\uD83D\uDCE3".repeat(121);

    @Test
    void recentCampaignsAreListedNewestFirstWithoutTheirErrors() {
        String customer = Events.newCustomerId("camp");
        String id = EventJson.parse(upload(
                                "text/csv",
                                bytes("customer_id,tier\n" + customer + ",gold\nbad id,1\n"),
                                LISTED_NAME,
                                null,
                                null)
                        .body())
                .get("campaign_id")
                .asString();

        JsonNode list =
                EventJson.parse(get("/api/v1/campaigns?limit=100").body()).get("campaigns");

        assertThat(list.get(0).get("campaign_id").asString()).isEqualTo(id);
        assertThat(list.get(0).get("name").asString()).isEqualTo(LISTED_NAME);
        assertThat(list.get(0).has("errors")).isFalse();
        assertThat(list.get(0).get("lines_rejected").asLong()).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * An outside probe's line of 499 values of 400 characters: too large for a profile on its own once encrypted. It
     * was counted accepted and then lost by the log writer, named nowhere; now it is refused at publish time with its
     * line number, and the other line lands.
     */
    @Test
    void aLineTooLargeForAProfileOnItsOwnIsRefusedWithItsLineNumber() {
        String wide = Events.newCustomerId("camp_wide");
        String narrow = Events.newCustomerId("camp_narrow");
        StringBuilder csv = new StringBuilder("customer_id");
        for (int i = 0; i < 499; i++) {
            csv.append(",k").append(String.format("%04d", i));
        }
        csv.append('\n').append(wide);
        for (int i = 0; i < 499; i++) {
            csv.append(',').append("w".repeat(400));
        }
        csv.append('\n').append(narrow).append(",small").append(",".repeat(498)).append('\n');

        HttpResponse<String> response = upload("text/csv", bytes(csv.toString()), "wide", "2026-11-30T09:00:00Z", null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode done = awaitCompleted(
                EventJson.parse(response.body()).get("campaign_id").asString());
        assertThat(done.get("lines_rejected").asLong()).as(done.toString()).isEqualTo(1);
        assertThat(done.get("events_logged").asLong()).isEqualTo(1);
        assertThat(done.get("events_failed").asLong()).isZero();
        JsonNode error = done.get("errors").get(0);
        assertThat(error.get("line").asLong()).isEqualTo(2);
        assertThat(error.get("type").asString()).isEqualTo("profile-too-large");
        assertThat(done.toString()).doesNotContain("wwww");
        assertThat(logItems(wide)).isEmpty();
        assertThat(logItems(narrow)).hasSize(1);
    }

    private HttpResponse<String> upload(
            String contentType, byte[] body, String name, String timestamp, String idempotencyKey) {
        StringBuilder path = new StringBuilder("/api/v1/campaigns");
        String separator = "?";
        if (name != null) {
            path.append(separator).append("name=").append(java.net.URLEncoder.encode(name, StandardCharsets.UTF_8));
            separator = "&";
        }
        if (timestamp != null) {
            path.append(separator).append("timestamp_utc=").append(timestamp);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path.toString()))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType)
                .header("Authorization", "Bearer " + TestApiKeys.EVENTS_WRITE_ONLY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return api.send(request.build());
    }

    private HttpResponse<String> get(String path) {
        return api.get(path, TestApiKeys.ALL_SCOPES);
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private JsonNode awaitCompleted(String campaignId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    HttpResponse<String> response = get("/api/v1/campaigns/" + campaignId);
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    last[0] = EventJson.parse(response.body());
                    assertThat(last[0].get("state").asString())
                            .as(response.body())
                            .isEqualTo("completed");
                });
        return last[0];
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(bytes(text));
    }

    private int campaignCount() {
        return dynamo.scan(b -> b.tableName(tables.campaigns()).consistentRead(true))
                .items()
                .size();
    }

    private Map<String, AttributeValue> viewOf(String customer) {
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> view = dynamo.getItem(
                        b -> b.tableName(tables.profileView())
                                .consistentRead(true)
                                .key(Map.of(
                                        AsofTables.CUSTOMER_ID,
                                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(customer))))
                .item();
        assertThat(view).as(customer).isNotEmpty();
        Map<String, AttributeValue> values = new java.util.HashMap<>();
        IdentityStateCodec.decode(view.get("state").s())
                .visibleAttributes()
                .forEach((key, version) -> values.put(key, version.value()));
        return values;
    }

    private List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> logItems(String customer) {
        return dynamo.query(b -> b.tableName(tables.eventLog())
                        .consistentRead(true)
                        .keyConditionExpression("customer_id = :c")
                        .expressionAttributeValues(Map.of(
                                ":c", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(customer))))
                .items();
    }
}
