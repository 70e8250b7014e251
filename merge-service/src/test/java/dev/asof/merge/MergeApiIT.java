package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.ProfileMerged;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.TestApiKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/merges}, {@code /unmerges} and {@code GET /api/v1/customers/{id}/identity} over the real
 * Kafka broker and dynalite; the log writer's part is played by {@link IdentityLogFixture}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MergeApiIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    EventLog eventLog;

    @Autowired
    IdentityLinks identityLinks;

    ApiClient api;
    IdentityLogFixture log;
    LogWriterStandIn logWriter;
    String a;
    String b;
    String c;

    @BeforeEach
    void customers() {
        api = ApiClient.localhost(port);
        log = new IdentityLogFixture(eventLog, identityLinks);
        a = Events.newCustomerId("ma");
        b = Events.newCustomerId("mb");
        c = Events.newCustomerId("mc");
        for (String customer : List.of(a, b, c)) {
            log.seed(customer, "2026-01-01T00:00:00Z");
        }
        logWriter = LogWriterStandIn.start(log);
    }

    @AfterEach
    void stopLogWriter() throws InterruptedException {
        logWriter.close();
    }

    @Test
    void aMergeIsAcceptedOnceKafkaHasTheEvent() {
        HttpResponse<String> response = post("/api/v1/merges", body(b, a, "2026-02-01T00:00:00Z"), null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode answer = EventJson.parse(response.body());
        assertThat(names(answer)).containsExactlyInAnyOrder("event_id", "merged_into", "merged_from", "effective_at");
        assertThat(answer.get("merged_into").stringValue()).isEqualTo(b);
        assertThat(answer.get("merged_from").stringValue()).isEqualTo(a);
        assertThat(answer.get("effective_at").stringValue()).isEqualTo("2026-02-01T00:00:00.000Z");
        List<EventEnvelope> published = IdentityLogFixture.published(a, 1);
        assertThat(published).singleElement().satisfies(event -> {
            assertThat(event.eventId()).isEqualTo(answer.get("event_id").stringValue());
            assertThat(event.payload())
                    .isEqualTo(new ProfileMerged(
                            b, a, "same phone and email", "agent_12345", "{\"matched\":[\"phone\",\"email\"]}"));
            assertThat(event.schemaVersion()).isEqualTo(2);
            assertThat(event.timestampUtc()).isEqualTo("2026-02-01T00:00:00Z");
        });

        // logged before the answer (here by the stand-in log writer): the next command decides on it
        HttpResponse<String> again = post("/api/v1/merges", body(c, a, "2026-02-02T00:00:00Z"), null);
        assertProblem(again, 409, "already-merged");
        // text that is no text is refused before the identities are read (a reason with a lone surrogate got 409
        // already-merged here)
        String pair = "{\"merged_into\":\"" + c + "\",\"merged_from\":\"" + a + "\",";
        assertInvalid(post("/api/v1/merges", pair + "\"reason\":\"x\\ud800\"}", null), "/reason", "unicode");
        assertInvalid(post("/api/v1/merges", pair + "\"decided_by\":\"\\udc00\"}", null), "/decided_by", "unicode");
        assertInvalid(post("/api/v1/merges", pair + "\"evidence\":{\"k\\udc00\":1}}", null), "/evidence", "unicode");
        assertInvalid(
                post("/api/v1/merges", pair + "\"evidence\":{\"k\":[\"\\ud800\"]}}", null), "/evidence/k/0", "unicode");
    }

    @Test
    void everyRefusalIsAProblemOfItsKind() {
        log.merged(c, b, "2026-02-01T00:00:00Z");

        assertProblem(post("/api/v1/merges", body(a, a, null), null), 422, "self-merge");
        assertProblem(
                post("/api/v1/merges", body(b, Events.newCustomerId("none"), null), null), 404, "profile-not-found");
        assertProblem(post("/api/v1/merges", body(a, c, "2026-03-01T00:00:00Z"), null), 409, "already-merged");
        // b resolves to ... c is merged into b; merging b into c would close the cycle
        assertProblem(post("/api/v1/merges", body(c, b, "2026-03-01T00:00:00Z"), null), 409, "merge-cycle");
        assertProblem(post("/api/v1/unmerges", body(b, a, null), null), 409, "not-merged");
        // before the merge's effective time c was not merged yet
        assertProblem(post("/api/v1/unmerges", body(b, c, "2026-01-15T00:00:00Z"), null), 409, "not-merged");
        assertThat(IdentityLogFixture.published(a, 0)).isEmpty();
        assertThat(IdentityLogFixture.published(c, 0)).isEmpty();
    }

    @Test
    void anUnmergeOfAMergeIsAccepted() {
        log.merged(a, b, "2026-02-01T00:00:00Z");

        HttpResponse<String> response = post("/api/v1/unmerges", body(b, a, "2026-03-01T00:00:00Z"), null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(IdentityLogFixture.published(a, 1))
                .singleElement()
                .satisfies(event -> assertThat(event.eventType().wireName()).isEqualTo("CUSTOMER_PROFILE_UNMERGE"));
    }

    @Test
    void anIdempotencyKeyReplaysTheAnswerAndWritesOneEvent() {
        String key = UUID.randomUUID().toString();
        String body = body(b, a, "2026-02-01T00:00:00Z");

        HttpResponse<String> first = post("/api/v1/merges", body, key);
        HttpResponse<String> replay = post("/api/v1/merges", body, key);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(replay.body()).isEqualTo(first.body());
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(IdentityLogFixture.published(a, 2)).hasSize(1);
        assertProblem(post("/api/v1/merges", body(c, a, "2026-02-01T00:00:00Z"), key), 422, "idempotency-key-reused");
        // the same body to another endpoint: the detail says so (it spoke of "a different request body")
        HttpResponse<String> elsewhere = post("/api/v1/unmerges", body, key);
        assertProblem(elsewhere, 422, "idempotency-key-reused");
        assertThat(elsewhere.body()).contains("another endpoint");
    }

    @Test
    void theSameKeyNamesTheSameEvent() {
        String key = UUID.randomUUID().toString();
        String otherA = Events.newCustomerId("ma");
        log.seed(otherA, "2026-01-01T00:00:00Z");

        HttpResponse<String> first = post("/api/v1/merges", body(b, a, null), key);
        HttpResponse<String> unkeyed = post("/api/v1/merges", body(b, otherA, null), null);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(EventJson.parse(first.body()).get("event_id").stringValue())
                .isEqualTo(UUID.nameUUIDFromBytes(
                                ("all\n/api/v1/merges\n" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .toString());
        assertThat(unkeyed.statusCode()).as(unkeyed.body()).isEqualTo(202);
    }

    @Test
    void writesNeedMergeWriteAndReadsNeedProfileRead() {
        String body = body(b, a, null);

        assertProblem(api.postJson("/api/v1/merges", null, body), 401, "unauthorized");
        assertProblem(api.postJson("/api/v1/merges", TestApiKeys.PROFILE_READ_ONLY, body), 403, "forbidden");
        assertProblem(api.postJson("/api/v1/unmerges", TestApiKeys.EVENTS_WRITE_ONLY, body), 403, "forbidden");
        assertProblem(api.get("/api/v1/customers/" + a + "/identity", null), 401, "unauthorized");
        assertProblem(api.get("/api/v1/customers/" + a + "/identity", TestApiKeys.EVENTS_WRITE_ONLY), 403, "forbidden");
        assertThat(IdentityLogFixture.published(a, 0)).isEmpty();
    }

    @Test
    void malformedBodiesAreRefusedNamingTheField() {
        // an empty body, on every endpoint that takes one (it was "Failed to read request", naming nothing)
        for (String path :
                List.of("/api/v1/merges", "/api/v1/unmerges", "/api/v1/match", "/api/v1/customers/" + a + "/erasure")) {
            assertInvalid(post(path, "", null), "", "json");
        }
        assertInvalid(
                post(
                        "/api/v1/merges",
                        "{\"merged_into\":\"" + b + "\",\"merged_from\":\"" + a + "\",\"colour\":1}",
                        null),
                "/colour",
                "additionalProperties");
        assertInvalid(post("/api/v1/merges", body("bad id!", a, null), null), "/merged_into", "pattern");
        assertInvalid(
                post("/api/v1/merges", "{\"merged_into\":7,\"merged_from\":\"" + a + "\"}", null),
                "/merged_into",
                "type");
        assertInvalid(post("/api/v1/merges", "{\"merged_into\":\"" + b + "\"}", null), "/merged_from", "required");
        assertInvalid(
                post("/api/v1/unmerges", body(b, a, "2026-02-01 10:00"), null), "/effective_at", "timestamp-offset");
        assertInvalid(
                post("/api/v1/merges", body(b, a, "1969-12-31T23:59:59Z"), null), "/effective_at", "timestamp-range");
        assertInvalid(
                post("/api/v1/merges", body(b, a, "2999-01-01T00:00:00Z"), null), "/effective_at", "future-timestamp");
        assertInvalid(
                post(
                        "/api/v1/merges",
                        "{\"merged_into\":\"" + b + "\",\"merged_from\":\"" + a + "\",\"reason\":\"" + "x".repeat(257)
                                + "\"}",
                        null),
                "/reason",
                "maxLength");
        assertInvalid(
                post(
                        "/api/v1/merges",
                        "{\"merged_into\":\"" + b + "\",\"merged_from\":\"" + a + "\",\"evidence\":[1]}",
                        null),
                "/evidence",
                "type");
        assertInvalid(
                post(
                        "/api/v1/merges",
                        "{\"merged_into\":\"" + b + "\",\"merged_from\":\"" + a + "\",\"evidence\":{\"x\":\""
                                + "y".repeat(5000) + "\"}}",
                        null),
                "/evidence",
                "value-size");
        assertInvalid(post("/api/v1/merges", "[]", null), "", "type");
        assertInvalid(post("/api/v1/merges", "{", null), "", "json");

        byte[] notUtf8 =
                ("{\"merged_into\":\"" + b + "\",\"merged_from\":\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bytes = java.util.Arrays.copyOf(notUtf8, notUtf8.length + 3);
        bytes[notUtf8.length] = (byte) 0xC3;
        bytes[notUtf8.length + 1] = (byte) 0x28;
        bytes[notUtf8.length + 2] = (byte) '"';
        HttpResponse<String> invalidUtf8 =
                api.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/merges"))
                        .header("Authorization", "Bearer " + TestApiKeys.ALL_SCOPES)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                        .build());
        assertThat(invalidUtf8.statusCode()).as(invalidUtf8.body()).isEqualTo(400);
        assertThat(invalidUtf8.body()).contains("utf-8");
        assertThat(IdentityLogFixture.published(a, 0)).isEmpty();
    }

    @Test
    void theIdentityFollowsMergesAndUnmerges() {
        EventEnvelope merge = log.merged(a, b, "2026-02-01T00:00:00Z");
        EventEnvelope unmerge = log.unmerged(a, b, "2026-03-01T00:00:00Z");

        JsonNode before = identity(a, "2026-01-15T00:00:00Z");
        assertThat(before.get("customer_id").stringValue()).isEqualTo(a);
        assertThat(before.get("resolved_customer_id").stringValue()).isEqualTo(a);
        assertThat(strings(before.get("members"))).containsExactly(a);
        assertThat(before.get("lineage")).isEmpty();

        JsonNode merged = identity(a, "2026-02-15T00:00:00Z");
        assertThat(merged.get("resolved_customer_id").stringValue()).isEqualTo(b);
        assertThat(strings(merged.get("members"))).containsExactlyElementsOf(new java.util.TreeSet<>(List.of(a, b)));
        assertThat(merged.get("lineage")).singleElement().satisfies(entry -> {
            assertThat(entry.get("event_id").stringValue()).isEqualTo(merge.eventId());
            assertThat(entry.get("event_type").stringValue()).isEqualTo("CUSTOMER_PROFILE_MERGE");
            assertThat(entry.get("merged_from").stringValue()).isEqualTo(a);
            assertThat(entry.get("merged_into").stringValue()).isEqualTo(b);
            assertThat(entry.get("timestamp_utc").stringValue()).isEqualTo("2026-02-01T00:00:00.000Z");
        });
        JsonNode survivor = identity(b, "2026-02-15T00:00:00Z");
        assertThat(survivor.get("resolved_customer_id").stringValue()).isEqualTo(b);
        assertThat(strings(survivor.get("members"))).containsExactlyInAnyOrder(a, b);

        JsonNode after = identity(a, "2026-03-15T00:00:00Z");
        assertThat(after.get("resolved_customer_id").stringValue()).isEqualTo(a);
        assertThat(strings(after.get("members"))).containsExactly(a);
        assertThat(strings(after.get("lineage"), "event_id")).containsExactly(merge.eventId(), unmerge.eventId());
        assertThat(strings(identity(b, "2026-03-15T00:00:00Z").get("members"))).containsExactly(b);

        // known_at before anything was logged: no events yet
        assertProblem(
                api.get("/api/v1/customers/" + a + "/identity?known_at=2020-01-01T00:00:00Z", TestApiKeys.ALL_SCOPES),
                404,
                "profile-not-found");
    }

    @Test
    void eachCommandDecidesOnTheCommandsBeforeIt() {
        assertThat(post("/api/v1/merges", body(b, a, "2026-02-01T00:00:00Z"), null)
                        .statusCode())
                .isEqualTo(202);
        // answered only once logged: the next command sees the merge at once
        assertProblem(post("/api/v1/merges", body(c, a, "2026-02-01T00:00:00Z"), null), 409, "already-merged");
        assertProblem(post("/api/v1/merges", body(a, b, "2026-02-01T00:00:00Z"), null), 409, "merge-cycle");
        assertThat(post("/api/v1/unmerges", body(b, a, "2026-03-01T00:00:00Z"), null)
                        .statusCode())
                .isEqualTo(202);
        assertProblem(post("/api/v1/unmerges", body(b, a, "2026-03-02T00:00:00Z"), null), 409, "not-merged");
    }

    @RepeatedTest(5)
    void ofConcurrentConflictingCommandsOnlyConsistentOnesWin() throws Exception {
        // every pair of these conflicts: a can be merged once, and any two of them close a cycle or repeat a merge
        List<String> bodies = List.of(
                body(b, a, "2026-02-01T00:00:00Z"),
                body(c, a, "2026-02-01T00:00:00Z"),
                body(a, b, "2026-02-01T00:00:00Z"),
                body(a, c, "2026-02-01T00:00:00Z"),
                body(c, b, "2026-02-01T00:00:00Z"),
                body(b, c, "2026-02-01T00:00:00Z"));
        ExecutorService pool = Executors.newFixedThreadPool(bodies.size());
        List<HttpResponse<String>> answers = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> pending = new ArrayList<>();
            for (String body : bodies) {
                pending.add(pool.submit(() -> {
                    start.await();
                    return post("/api/v1/merges", body, null);
                }));
            }
            start.countDown();
            for (Future<HttpResponse<String>> answer : pending) {
                answers.add(answer.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        List<String> accepted = new ArrayList<>();
        for (HttpResponse<String> answer : answers) {
            if (answer.statusCode() == 202) {
                JsonNode written = EventJson.parse(answer.body());
                accepted.add(written.get("merged_from").stringValue() + ">"
                        + written.get("merged_into").stringValue());
            } else {
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(409);
                assertThat(EventJson.parse(answer.body()).get("type").stringValue())
                        .isIn("/problems/already-merged", "/problems/merge-cycle", "/problems/identity-busy");
            }
        }
        // of three identities at one valid time, at most two merges are consistent (a chain x > y > z)
        assertThat(accepted).as("accepted %s", accepted).isNotEmpty().hasSizeLessThanOrEqualTo(2);
        java.util.Map<String, String> links = new java.util.HashMap<>();
        for (String merge : accepted) {
            String[] pair = merge.split(">");
            assertThat(links.put(pair[0], pair[1]))
                    .as("%s merged twice: %s", pair[0], accepted)
                    .isNull();
        }
        for (String start : links.keySet()) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String at = start; at != null; at = links.get(at)) {
                assertThat(seen.add(at))
                        .as("cycle through %s in %s", at, accepted)
                        .isTrue();
            }
        }
        // and the identity answer agrees: everyone resolves to the end of the chain
        String root = links.values().stream()
                .filter(id -> !links.containsKey(id))
                .findFirst()
                .orElseThrow();
        for (String member : links.keySet()) {
            assertThat(identity(member, "2026-02-15T00:00:00Z")
                            .get("resolved_customer_id")
                            .stringValue())
                    .isEqualTo(root);
        }
    }

    /**
     * Merges and unmerges of one pair sent at once, without an effective time, take effect in the order they ran: the
     * lineage alternates merge, unmerge, merge, ... and holds exactly the commands answered {@code 202} (an outside
     * probe got an unmerge taking effect before the unmerge it had waited for, so two unmerges in a row).
     */
    @Test
    void concurrentCommandsWithoutAnEffectiveTimeTakeEffectInTheOrderTheyRan() throws Exception {
        String pair = "{\"merged_into\":\"" + b + "\",\"merged_from\":\"" + a + "\"}";
        int commands = 12;
        ExecutorService pool = Executors.newFixedThreadPool(commands);
        List<HttpResponse<String>> answers = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> pending = new ArrayList<>();
            for (int i = 0; i < commands; i++) {
                String path = i % 2 == 0 ? "/api/v1/merges" : "/api/v1/unmerges";
                pending.add(pool.submit(() -> {
                    start.await();
                    return post(path, pair, null);
                }));
            }
            start.countDown();
            for (Future<HttpResponse<String>> answer : pending) {
                answers.add(answer.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        long accepted =
                answers.stream().filter(answer -> answer.statusCode() == 202).count();
        for (HttpResponse<String> answer : answers) {
            if (answer.statusCode() != 202) {
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(409);
                assertThat(EventJson.parse(answer.body()).get("type").stringValue())
                        .isIn("/problems/already-merged", "/problems/not-merged", "/problems/identity-busy");
            }
        }
        HttpResponse<String> now = api.get("/api/v1/customers/" + a + "/identity", TestApiKeys.PROFILE_READ_ONLY);
        assertThat(now.statusCode()).as(now.body()).isEqualTo(200);
        List<String> types = strings(EventJson.parse(now.body()).get("lineage"), "event_type");
        // a merge, and at least one unmerge after it: there was an order to keep
        assertThat(types).as("lineage by valid time").hasSize((int) accepted).hasSizeGreaterThanOrEqualTo(2);
        for (int i = 0; i < types.size(); i++) {
            assertThat(types.get(i))
                    .as("lineage %s", types)
                    .isEqualTo(i % 2 == 0 ? "CUSTOMER_PROFILE_MERGE" : "CUSTOMER_PROFILE_UNMERGE");
        }
    }

    @Test
    void theLineageSaysWhoDecidedWhyAndOnWhatEvidence() throws Exception {
        String merge = EventJson.parse(post("/api/v1/merges", body(b, a, "2026-02-01T00:00:00Z"), null)
                        .body())
                .get("event_id")
                .stringValue();
        String unmerge = EventJson.parse(post(
                                "/api/v1/unmerges",
                                "{\"merged_into\":\"" + b + "\",\"merged_from\":\"" + a
                                        + "\",\"effective_at\":\"2026-03-01T00:00:00Z\"}",
                                null)
                        .body())
                .get("event_id")
                .stringValue();

        HttpResponse<String> response =
                api.get("/api/v1/customers/" + a + "/identity?at=2026-03-15T00:00:00Z", TestApiKeys.PROFILE_READ_ONLY);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = EventJson.parse(response.body());
        answer.get("lineage")
                .forEach(entry -> assertThat(entry.get("recorded_at").stringValue())
                        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        String normalized = response.body()
                .replace(merge, "merge-event-id")
                .replace(unmerge, "unmerge-event-id")
                .replace(a, "cust_a")
                .replace(b, "cust_b")
                .replaceAll("\"recorded_at\":\"[^\"]+\"", "\"recorded_at\":\"(recorded)\"");
        assertThat(EventJson.parse(normalized)).isEqualTo(EventJson.parse(golden("identity-answer.json")));
    }

    @Test
    void identityRefusesUnknownIdsAndBadParameters() {
        assertProblem(
                api.get(
                        "/api/v1/customers/" + Events.newCustomerId("none") + "/identity",
                        TestApiKeys.PROFILE_READ_ONLY),
                404,
                "profile-not-found");
        assertInvalid(
                api.get("/api/v1/customers/" + a + "/identity?at=yesterday", TestApiKeys.PROFILE_READ_ONLY),
                "at",
                "timestamp");
        assertInvalid(
                api.get(
                        "/api/v1/customers/" + a + "/identity?known_at=9999999999999999999",
                        TestApiKeys.PROFILE_READ_ONLY),
                "known_at",
                "range");
        assertInvalid(api.get("/api/v1/customers/bad%21id/identity", TestApiKeys.PROFILE_READ_ONLY), "id", "pattern");
    }

    private static String golden(String name) throws java.io.IOException {
        try (var in = MergeApiIT.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private JsonNode identity(String customer, String at) {
        HttpResponse<String> response =
                api.get("/api/v1/customers/" + customer + "/identity?at=" + at, TestApiKeys.PROFILE_READ_ONLY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return EventJson.parse(response.body());
    }

    private HttpResponse<String> post(String path, String body, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + TestApiKeys.ALL_SCOPES)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return api.send(request.build());
    }

    static String body(String into, String from, String effectiveAt) {
        return "{\"merged_into\":\"" + into + "\",\"merged_from\":\"" + from + "\",\"reason\":\"same phone and email\","
                + "\"decided_by\":\"agent_12345\",\"evidence\":{\"matched\":[\"phone\",\"email\"]}"
                + (effectiveAt == null ? "" : ",\"effective_at\":\"" + effectiveAt + "\"") + "}";
    }

    private static void assertProblem(HttpResponse<String> response, int status, String kind) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(EventJson.parse(response.body()).get("type").stringValue()).isEqualTo("/problems/" + kind);
    }

    private static void assertInvalid(HttpResponse<String> response, String pointer, String rule) {
        assertProblem(response, 400, "invalid-request");
        JsonNode errors = EventJson.parse(response.body()).get("errors");
        List<String> found = new ArrayList<>();
        errors.forEach(error -> found.add(
                error.get("pointer").stringValue() + " " + error.get("rule").stringValue()));
        assertThat(found).as(response.body()).contains(pointer + " " + rule);
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.properties().forEach(property -> names.add(property.getKey()));
        return names;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.stringValue()));
        return values;
    }

    private static List<String> strings(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.get(field).stringValue()));
        return values;
    }
}
