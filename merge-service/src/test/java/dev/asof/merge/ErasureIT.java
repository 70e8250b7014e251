package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.asof.events.AttributeValue;
import dev.asof.events.EncryptedValues;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Timestamps;
import dev.asof.matching.MatchRecord;
import dev.asof.merge.erasure.Erasures;
import dev.asof.merge.matching.MatchIndex;
import dev.asof.privacy.KeyEncryptionKey;
import dev.asof.privacy.SubjectErasedException;
import dev.asof.privacy.SubjectKeys;
import dev.asof.privacy.ValueCipher;
import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.submission.SubmissionResult;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.LogPages;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.SharedInfrastructure;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import tools.jackson.databind.JsonNode;

/**
 * Issue #12's erasure over real Kafka and dynalite: a customer merged with another, with values encrypted at intake
 * (in Kafka and the log), a legacy plaintext item and a match-index entry, is erased; the erasure ends {@code
 * completed} with a proof that no store and no topic still holds a readable value; reads answer {@code 410}; a late
 * replay is refused and a returning customer starts afresh.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "asof.erasure.replica-key-cache-wait=1s",
            "asof.erasure.in-flight-margin=2s",
            "asof.erasure.log-writer-group=" + LogWriterStandIn.GROUP,
            "asof.erasure.retry-delay=1s",
            "asof.privacy.key-cache-ttl=1s"
        })
class ErasureIT {

    /** One for the class: a new producer's first send waits for metadata, which under load eats into a step's wait. */
    private static KafkaProducer<String, String> producer;

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

    @Autowired
    ProfileViews views;

    @Autowired
    ProfileEventSubmitter submitter;

    @Autowired
    MatchIndex matchIndex;

    @Autowired
    ValueCipher cipher;

    @Autowired
    AsofTables tables;

    @Autowired
    Erasures erasures;

    @Autowired
    KeyEncryptionKey kek;

    final DynamoDbClient dynamo = SharedInfrastructure.dynamoClient();
    ApiClient api;
    IdentityLogFixture log;
    LogWriterStandIn logWriter;

    @BeforeEach
    void start() {
        api = ApiClient.localhost(port);
        log = new IdentityLogFixture(eventLog, identityLinks, views);
        logWriter = LogWriterStandIn.start(log);
    }

    @AfterEach
    void stop() throws InterruptedException {
        logWriter.close();
    }

    @Test
    void anErasureLeavesNothingReadableAnywhereAndProvesIt() {
        String voice = Events.newCustomerId("erv");
        String chat = Events.newCustomerId("erc");
        String email = "jane.erase-" + UUID.randomUUID() + "@example.test";
        String phone = "+4420794" + (10000 + (int) (Math.random() * 89999));
        String legacy = "legacy-" + UUID.randomUUID();
        // a value written before encryption was turned on: a plaintext log item
        log.log(EventJson.decode(Events.attributeChange(
                UUID.randomUUID().toString(), voice, "2026-01-01T00:00:00Z", "nickname", null, legacy, "voice")));
        // values through the write path: encrypted in Kafka and in the log (logged by the stand-in)
        accepted(event(voice, "2026-01-02T00:00:00Z", "phone", phone));
        accepted(event(chat, "2026-01-03T00:00:00Z", "email", email));
        log.merged(chat, voice, "2026-01-04T00:00:00Z");
        matchIndex.put(
                new MatchIndex.Indexed(
                        new MatchRecord(voice, Set.of(phone), Set.of(), "Jane", "Doe", null, null),
                        Set.of("phone:" + phone),
                        null,
                        true),
                matchIndex.find(voice).orElse(null));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> eventLog.eventsUpTo(chat, Timestamps.LATEST, Timestamps.LATEST)
                                .size()
                        == 2);
        List<String> secrets = List.of(email, phone, legacy);
        // a packed page of the survivor's log, as reconstruction writes them for timelines: a copy of its items,
        // the legacy plaintext value among them
        List<RecordedEvent> voiceLog = eventLog.eventsUpTo(voice, Timestamps.LATEST, Timestamps.LATEST);
        assertThat(new LogPages(dynamo, tables)
                        .save(
                                voice,
                                0,
                                voiceLog.get(voiceLog.size() - 1)
                                        .event()
                                        .timestampUtc()
                                        .toEpochMilli(),
                                voiceLog.stream()
                                        .mapToLong(RecordedEvent::recordedAt)
                                        .max()
                                        .orElseThrow(),
                                voiceLog,
                                Instant.now()))
                .isEqualTo(LogPages.Saved.WRITTEN);

        HttpResponse<String> requested = erase(voice, "{\"reason\":\"GDPR Art. 17 request\",\"requested_by\":\"dpo\"}");
        assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);
        String location = requested.headers().firstValue("Location").orElseThrow();
        JsonNode started = EventJson.parse(requested.body());
        assertThat(location)
                .isEqualTo("/api/v1/erasures/" + started.get("erasure_id").stringValue());
        // a repeated request while it runs answers the same erasure
        HttpResponse<String> again = erase(voice, "{\"reason\":\"again\",\"requested_by\":\"dpo\"}");
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.headers().firstValue("Location")).hasValue(location);

        JsonNode done = awaitEnded(location);
        assertThat(done.get("state").stringValue()).as(done.toString()).isEqualTo("completed");
        // found again by the customer's id, without starting another
        HttpResponse<String> byCustomer = api.get("/api/v1/customers/" + voice + "/erasure", TestApiKeys.ALL_SCOPES);
        assertThat(byCustomer.statusCode()).as(byCustomer.body()).isEqualTo(200);
        assertThat(EventJson.parse(byCustomer.body()))
                .isEqualTo(EventJson.parse(
                        api.get(location, TestApiKeys.ALL_SCOPES).body()));
        HttpResponse<String> byMember = api.get("/api/v1/customers/" + chat + "/erasure", TestApiKeys.ALL_SCOPES);
        assertThat(byMember.statusCode()).as(byMember.body()).isEqualTo(200);
        assertThat(EventJson.parse(byMember.body()))
                .as("a member erased with its survivor is found by its own id too")
                .isEqualTo(EventJson.parse(byCustomer.body()));
        // and asking to erase the member answers that erasure instead of starting a second one
        HttpResponse<String> memberAgain = erase(chat, "{\"reason\":\"again\",\"requested_by\":\"dpo\"}");
        assertThat(memberAgain.statusCode()).as(memberAgain.body()).isEqualTo(202);
        assertThat(memberAgain.headers().firstValue("Location")).hasValue(location);
        assertThat(done.get("customer_id").stringValue()).isEqualTo(voice);
        List<String> identities = new ArrayList<>();
        done.get("identities").forEach(id -> identities.add(id.stringValue()));
        assertThat(identities).containsExactlyInAnyOrder(voice, chat);
        assertThat(done.get("completed_at").isNull()).isFalse();
        JsonNode proof = done.get("proof");
        System.out.println("ErasureIT erasure: " + done);
        assertThat(proof.get("verified").booleanValue()).isTrue();
        assertThat(proof.at("/steps/append/events_logged").asInt()).isEqualTo(2);
        assertThat(proof.at("/steps/destroy_keys/keys_destroyed").asInt()).isEqualTo(2);
        assertThat(proof.at("/steps/redact_log/items_redacted").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(proof.at("/steps/indexes/match_index_entries_deleted").asInt())
                .isEqualTo(2);
        // the two attribute events' and the two erasure events' fingerprints
        assertThat(proof.at("/steps/indexes/intake_ledger_entries_deleted").asInt())
                .isEqualTo(4);
        assertThat(proof.at("/steps/log_pages/log_pages_deleted").asInt()).isEqualTo(1);
        List<String> stores = new ArrayList<>();
        for (JsonNode store : proof.at("/scan/stores")) {
            stores.add(store.get("store").stringValue());
            assertThat(store.get("readable_values").asLong())
                    .as(store.toString())
                    .isZero();
        }
        assertThat(stores).contains("dynamodb:snapshots", "dynamodb:log_pages");
        assertThat(dynamo.query(b -> b.tableName(tables.logPages())
                                .keyConditionExpression("customer_id = :c")
                                .expressionAttributeValues(Map.of(
                                        ":c",
                                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(voice))))
                        .count())
                .as("the survivor's log pages")
                .isZero();
        List<String> topics = new ArrayList<>();
        for (JsonNode topic : proof.at("/scan/topics")) {
            topics.add(topic.get("store").stringValue());
            assertThat(topic.get("readable_values").asLong())
                    .as(topic.toString())
                    .isZero();
            assertThat(topic.get("complete").booleanValue()).isTrue();
        }
        assertThat(topics).containsExactly("kafka:asof.profile-events", "kafka:asof.profile-events.dlt");
        // the two encrypted records are still in Kafka's retention, and no key opens them
        assertThat(proof.at("/scan/topics/0/unopenable_ciphertexts").asLong()).isEqualTo(2);

        // the stores themselves, read here too: no value in clear, the markers in their place, structure kept
        for (String identity : List.of(voice, chat)) {
            for (RecordedEvent event : eventLog.eventsUpTo(identity, Timestamps.LATEST, Timestamps.LATEST)) {
                assertThat(EventJson.encode(event.event())).doesNotContain(secrets);
            }
        }
        assertThat(EventJson.encode(eventLog.eventsUpTo(voice, Timestamps.LATEST, Timestamps.LATEST)
                        .get(0)
                        .event()))
                .contains(EncryptedValues.erased(voice), "\"attribute_key\":\"nickname\"");
        assertThat(matchIndex.find(voice)).isEmpty();
        assertThatThrownBy(() -> cipher.decrypt(AttributeValue.text(EncryptedValues.erased(voice))))
                .isInstanceOf(SubjectErasedException.class);

        // reads: gone, not hidden
        HttpResponse<String> identity = api.get("/api/v1/customers/" + voice + "/identity", TestApiKeys.ALL_SCOPES);
        assertThat(identity.statusCode()).as(identity.body()).isEqualTo(410);
        assertThat(identity.body()).contains("/problems/erased", "erased_at").doesNotContain(secrets);
        assertThat(api.get("/api/v1/customers/" + chat + "/identity?at=2026-01-02T12:00:00Z", TestApiKeys.ALL_SCOPES)
                        .statusCode())
                .isEqualTo(410);
        assertThat(api.get("/api/v1/customers/" + voice + "/match-candidates", TestApiKeys.ALL_SCOPES)
                        .statusCode())
                .isEqualTo(410);

        // a late replay cannot bring the data back; a returning customer starts afresh with a new key
        SubmissionResult late = submitter
                .submit(List.of(event(voice, "2026-01-02T00:00:00Z", "phone", phone)), "test", null, null)
                .get(0);
        assertThat(late.status()).isEqualTo("rejected");
        assertThat(late.reason()).isEqualTo("erased");
        // nor can an event without a value (a removal) or a merge stamped before the erasure, into or from it (a
        // probe got both taken, and the erased customer then read another person's profile)
        SubmissionResult removal = submitter
                .submit(
                        List.of(EventJson.decode(Events.attributeChange(
                                UUID.randomUUID().toString(),
                                voice,
                                "2026-01-02T00:00:00Z",
                                "phone",
                                "anything",
                                null,
                                "chat"))),
                        "test",
                        null,
                        null)
                .get(0);
        assertThat(removal.reason()).as(removal.toString()).isEqualTo("erased");
        String stranger = "cust_stranger_" + UUID.randomUUID().toString().substring(0, 8);
        for (String[] link : List.of(new String[] {voice, stranger}, new String[] {stranger, voice})) {
            EventEnvelope merge = EventJson.decode("""
                    {"event_id":"%s","event_type":"CUSTOMER_PROFILE_MERGE","timestamp_utc":"2026-01-02T00:00:00Z",\
                    "customer_id":"%s","source_system":"merge-service",\
                    "schema_version":2,"payload":{"merged_into":"%s","merged_from":"%s","reason":"probe"}}""".formatted(UUID.randomUUID(), link[1], link[0], link[1]));
            SubmissionResult merged =
                    submitter.submit(List.of(merge), "test", null, null).get(0);
            assertThat(merged.reason())
                    .as("a merge of %s into %s: %s", link[1], link[0], merged)
                    .isEqualTo("erased");
            assertThat(merged.errors().get(0).get("detail")).contains("customer " + voice + " was erased at");
        }
        // merge-service itself refuses merging anyone into or out of the erased customer, back-dated or not, until it
        // has come back (a probe merged another person into it, whose values it then read)
        for (String effective : List.of("2026-01-02T00:00:00Z", Timestamps.format(Instant.now()))) {
            for (String[] link : List.of(new String[] {voice, stranger}, new String[] {stranger, voice})) {
                HttpResponse<String> refused = api.postJson(
                        "/api/v1/merges", TestApiKeys.ALL_SCOPES, """
                        {"merged_into":"%s","merged_from":"%s","reason":"probe","decided_by":"agent_1",\
                        "effective_at":"%s"}""".formatted(link[0], link[1], effective));
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
                assertThat(refused.body()).contains("/problems/erased", "customer " + voice + " was erased at");
            }
        }
        String later = Timestamps.format(Instant.now().plusSeconds(1));
        EventEnvelope returning = event(voice, later, "phone", "+441632960000");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(submitter
                                .submit(List.of(returning), "test", null, null)
                                .get(0)
                                .status())
                        .isIn("accepted", "duplicate"));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(eventLog.find(voice, returning.timestampUtc(), returning.eventId()))
                        .hasValueSatisfying(logged ->
                                assertThat(cipher.decrypt(logged.event())).isEqualTo(returning)));
        // back from its return's valid time on, as its profile reads decide it: before that, still gone (the identity
        // read counted a return at any valid time and answered 200 where the profile answered 410)
        HttpResponse<String> beforeItsReturn = api.get(
                "/api/v1/customers/" + voice + "/identity?at="
                        + Timestamps.format(returning.timestampUtc().minusMillis(1)),
                TestApiKeys.ALL_SCOPES);
        assertThat(beforeItsReturn.statusCode()).as(beforeItsReturn.body()).isEqualTo(410);
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(returning.timestampUtc()));
        HttpResponse<String> back = api.get("/api/v1/customers/" + voice + "/identity", TestApiKeys.ALL_SCOPES);
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);

        // the erasure ended the member's merge: coming back, it is an identity of its own, whose lineage does not
        // start with the erased group, and there is no merge left to undo
        EventEnvelope memberBack = event(chat, Timestamps.format(Instant.now().plusSeconds(1)), "email", "new@x.test");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(submitter
                                .submit(List.of(memberBack), "test", null, null)
                                .get(0)
                                .status())
                        .isIn("accepted", "duplicate"));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> eventLog.find(chat, memberBack.timestampUtc(), memberBack.eventId())
                        .isPresent());
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(memberBack.timestampUtc()));
        HttpResponse<String> member = api.get("/api/v1/customers/" + chat + "/identity", TestApiKeys.ALL_SCOPES);
        assertThat(member.statusCode()).as(member.body()).isEqualTo(200);
        JsonNode memberIdentity = EventJson.parse(member.body());
        assertThat(memberIdentity.get("resolved_customer_id").stringValue()).isEqualTo(chat);
        assertThat(memberIdentity.get("members").toString()).isEqualTo("[\"" + chat + "\"]");
        assertThat(memberIdentity.get("lineage").size()).as(member.body()).isZero();
        HttpResponse<String> unmerge =
                api.postJson("/api/v1/unmerges", TestApiKeys.ALL_SCOPES, """
                {"merged_into":"%s","merged_from":"%s","reason":"probe","decided_by":"agent_1"}""".formatted(voice, chat));
        assertThat(unmerge.statusCode()).as(unmerge.body()).isEqualTo(409);
        assertThat(unmerge.body()).contains("not-merged");
    }

    @Test
    void requestsAreCheckedAndScoped() {
        String customer = Events.newCustomerId("erq");
        log.seed(customer, "2026-01-01T00:00:00Z");

        HttpResponse<String> missing = erase(customer, "{\"requested_by\":\"dpo\",\"extra\":1}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(missing.body()).contains("/reason", "required", "/extra", "additionalProperties");
        assertThat(erase(customer, "[]").statusCode()).isEqualTo(400);
        assertThat(erase(customer, "{\"reason\":\"" + "x".repeat(257) + "\",\"requested_by\":\"dpo\"}")
                        .body())
                .contains("maxLength");
        // a lone surrogate is no character (it cannot be stored as UTF-8 or shown): refused, as /merges refuses it
        HttpResponse<String> lone = erase(customer, "{\"reason\":\"a\\ud800b\",\"requested_by\":\"dpo\\udc00\"}");
        assertThat(lone.statusCode()).as(lone.body()).isEqualTo(400);
        assertThat(lone.body()).contains("/reason", "/requested_by", "unicode");
        HttpResponse<String> control = erase(customer, "{\"reason\":\"a\\u0000b\",\"requested_by\":\"dpo\"}");
        assertThat(control.statusCode()).as(control.body()).isEqualTo(400);
        assertThat(control.body()).contains("/reason", "characters");
        assertThat(erase(Events.newCustomerId("nobody"), "{\"reason\":\"r\",\"requested_by\":\"dpo\"}")
                        .statusCode())
                .isEqualTo(404);
        assertThat(erase("bad*id", "{\"reason\":\"r\",\"requested_by\":\"dpo\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(api.post(
                                "/api/v1/customers/" + customer + "/erasure",
                                null,
                                "application/json",
                                "{\"reason\":\"r\",\"requested_by\":\"dpo\"}")
                        .statusCode())
                .isEqualTo(401);
        assertThat(api.post(
                                "/api/v1/customers/" + customer + "/erasure",
                                TestApiKeys.PROFILE_READ_ONLY,
                                "application/json",
                                "{\"reason\":\"r\",\"requested_by\":\"dpo\"}")
                        .statusCode())
                .isEqualTo(403);
        assertThat(api.get("/api/v1/erasures/" + UUID.randomUUID(), TestApiKeys.ALL_SCOPES)
                        .statusCode())
                .isEqualTo(404);
        assertThat(api.get("/api/v1/erasures/" + "x".repeat(3_000), TestApiKeys.ALL_SCOPES)
                        .statusCode())
                .isEqualTo(404);
        assertThat(api.get("/api/v1/erasures/" + UUID.randomUUID(), TestApiKeys.PROFILE_READ_ONLY)
                        .statusCode())
                .isEqualTo(403);
        HttpResponse<String> never = api.get("/api/v1/customers/" + customer + "/erasure", TestApiKeys.ALL_SCOPES);
        assertThat(never.statusCode()).isEqualTo(404);
        assertThat(never.body()).contains("/problems/erasure-not-found");
        HttpResponse<String> malformed = api.get("/api/v1/customers/bad*id/erasure", TestApiKeys.ALL_SCOPES);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("customer_id");
        assertThat(api.get("/api/v1/customers/" + customer + "/erasure", TestApiKeys.PROFILE_READ_ONLY)
                        .statusCode())
                .isEqualTo(403);
        assertThat(api.get("/api/v1/customers/" + customer + "/erasure", null).statusCode())
                .isEqualTo(401);
    }

    @Test
    void erasuresAreListedNewestFirstPageByPageWithoutTheirProofs() throws InterruptedException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String customer = Events.newCustomerId("erl");
            log.seed(customer, "2026-01-01T00:00:00Z");
            HttpResponse<String> requested =
                    erase(customer, "{\"reason\":\"list " + i + "\",\"requested_by\":\"dpo\"}");
            assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);
            ids.add(EventJson.parse(requested.body()).get("erasure_id").stringValue());
            Thread.sleep(5); // distinct request times, so the order is the order of the requests
        }

        HttpResponse<String> first = api.get("/api/v1/erasures?limit=2", TestApiKeys.ALL_SCOPES);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        JsonNode page = EventJson.parse(first.body());
        assertThat(page.get("erasures").findValuesAsString("erasure_id")).containsExactly(ids.get(2), ids.get(1));
        assertThat(page.get("erasures").get(0).get("reason").stringValue()).isEqualTo("list 2");
        assertThat(page.get("erasures").get(0).has("proof")).isFalse();
        assertThat(page.get("erasures").get(0).has("verified")).isTrue();
        String cursor = page.get("next_cursor").stringValue();
        JsonNode second = EventJson.parse(api.get("/api/v1/erasures?limit=2&cursor=" + cursor, TestApiKeys.ALL_SCOPES)
                .body());
        assertThat(second.get("erasures").get(0).get("erasure_id").stringValue())
                .isEqualTo(ids.get(0));
        // walked to the end page by page: every page holds something (no empty last page), each erasure once
        List<String> walked = new ArrayList<>();
        String next = null;
        do {
            JsonNode walk = EventJson.parse(api.get(
                            "/api/v1/erasures?limit=1" + (next == null ? "" : "&cursor=" + next),
                            TestApiKeys.ALL_SCOPES)
                    .body());
            assertThat(walk.get("erasures")).as(walk.toString()).hasSize(1);
            walked.add(walk.get("erasures").get(0).get("erasure_id").stringValue());
            next = walk.get("next_cursor").isNull()
                    ? null
                    : walk.get("next_cursor").stringValue();
        } while (next != null);
        assertThat(walked).doesNotHaveDuplicates().containsSubsequence(ids.get(2), ids.get(1), ids.get(0));
        JsonNode done = awaitEnded("/api/v1/erasures/" + ids.get(2));
        JsonNode listed = EventJson.parse(api.get("/api/v1/erasures?limit=1", TestApiKeys.ALL_SCOPES)
                        .body())
                .get("erasures")
                .get(0);
        assertThat(listed.get("state").stringValue())
                .isEqualTo(done.get("state").stringValue());
        assertThat(listed.get("verified").asBoolean())
                .isEqualTo(done.at("/proof/verified").asBoolean());

        for (String bad :
                List.of("limit=0", "limit=101", "limit=x", "cursor=", "cursor=%21%21", "cursor=bm90LWEta2V5")) {
            HttpResponse<String> refused = api.get("/api/v1/erasures?" + bad, TestApiKeys.ALL_SCOPES);
            assertThat(refused.statusCode()).as(bad + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains(bad.substring(0, bad.indexOf('=')));
        }
        assertThat(api.get("/api/v1/erasures", TestApiKeys.PROFILE_READ_ONLY).statusCode())
                .isEqualTo(403);
        assertThat(api.get("/api/v1/erasures", null).statusCode()).isEqualTo(401);
    }

    @Test
    void anErasureLeftUnfinishedByARestartIsResumed() {
        String customer = Events.newCustomerId("err");
        log.seed(customer, "2026-01-01T00:00:00Z");
        String location = erase(customer, "{\"reason\":\"r\",\"requested_by\":\"dpo\"}")
                .headers()
                .firstValue("Location")
                .orElseThrow();
        JsonNode done = awaitEnded(location);
        assertThat(done.get("state").stringValue()).isEqualTo("completed");

        // what a crash in the middle leaves: the same erasure stored back at an earlier step, then a service start
        String erasureId = location.substring(location.lastIndexOf('/') + 1);
        dynamo.updateItem(b -> b.tableName(tables.erasures())
                .key(Map.of(
                        AsofTables.ERASURE_ID,
                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(erasureId)))
                .updateExpression("SET #s = :s, #step = :step REMOVE completed_at")
                .expressionAttributeNames(Map.of("#s", "state", "#step", "step"))
                .expressionAttributeValues(Map.of(
                        ":s", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("running"),
                        ":step", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("REDACT"))));
        // ... stopped too between winning its customer and entering the register
        var listed = dynamo.scan(b -> b.tableName(tables.erasureList())).items().stream()
                .filter(item -> item.get(AsofTables.ERASURE_ID).s().equals(erasureId))
                .toList();
        assertThat(listed).hasSize(1);
        dynamo.deleteItem(b -> b.tableName(tables.erasureList())
                .key(Map.of(
                        AsofTables.LISTED, listed.get(0).get(AsofTables.LISTED),
                        AsofTables.REQUESTED_KEY, listed.get(0).get(AsofTables.REQUESTED_KEY))));
        // and a request for the same customer that stopped before it became the customer's latest: never answered
        var stray = new java.util.HashMap<>(dynamo.getItem(b -> b.tableName(tables.erasures())
                        .consistentRead(true)
                        .key(Map.of(
                                AsofTables.ERASURE_ID,
                                software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(erasureId))))
                .item());
        String strayId = java.util.UUID.randomUUID().toString();
        stray.put(AsofTables.ERASURE_ID, software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(strayId));
        stray.put("step", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("RESOLVE"));
        stray.put("state", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("pending"));
        dynamo.putItem(b -> b.tableName(tables.erasures()).item(stray));
        assertThat(erasures.resumeUnfinished()).isGreaterThanOrEqualTo(1);

        JsonNode resumed = awaitEnded(location);
        assertThat(resumed.get("state").stringValue()).isEqualTo("completed");
        assertThat(resumed.at("/proof/verified").booleanValue()).isTrue();
        assertThat(dynamo.scan(b -> b.tableName(tables.erasureList())).items().stream()
                        .map(item -> item.get(AsofTables.ERASURE_ID).s()))
                .as("resumed, it is listed again; the stray request is neither listed nor run")
                .contains(erasureId)
                .doesNotContain(strayId);
        assertThat(erasures.find(strayId).orElseThrow().state()).isEqualTo("pending");
    }

    /**
     * A customer with more events than one batch holds (130: log items are redacted 25 to a batch write, ledger
     * entries read 100 and deleted 25 to a batch): every item redacted with its other attributes kept, every ledger
     * entry deleted, counted exactly.
     */
    @Test
    void aLargeErasureRedactsAndDeletesInBatchesAndKeepsEachItemsOtherAttributes() {
        String customer = Events.newCustomerId("erbig");
        List<EventEnvelope> events = new ArrayList<>();
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            String secret = "secret-" + i + "-" + UUID.randomUUID();
            secrets.add(secret);
            events.add(event(
                    customer,
                    Timestamps.format(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i)),
                    "nickname",
                    secret));
        }
        assertThat(submitter.submit(events, "test", null, null))
                .allSatisfy(result -> assertThat(result.status()).isEqualTo("accepted"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> eventLog.eventsUpTo(customer, Timestamps.LATEST, Timestamps.LATEST)
                                .size()
                        == 130);
        var before = logItems(customer);

        HttpResponse<String> requested = erase(customer, "{\"reason\":\"GDPR Art. 17\",\"requested_by\":\"dpo\"}");
        assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);
        JsonNode done = awaitEnded(requested.headers().firstValue("Location").orElseThrow());

        assertThat(done.get("state").stringValue()).as(done.toString()).isEqualTo("completed");
        JsonNode proof = done.get("proof");
        assertThat(proof.at("/steps/redact_log/items_redacted").asInt()).isEqualTo(130);
        // the 130 changes' and the erasure event's fingerprints
        assertThat(proof.at("/steps/indexes/intake_ledger_entries_deleted").asInt())
                .isEqualTo(131);
        for (JsonNode store : proof.at("/scan/stores")) {
            assertThat(store.get("readable_values").asLong())
                    .as(store.toString())
                    .isZero();
        }
        var after = logItems(customer);
        assertThat(after).hasSize(131);
        for (var item : before.values()) {
            var redacted = after.get(item.get(AsofTables.EVENT_KEY).s());
            assertThat(redacted.keySet()).isEqualTo(item.keySet());
            item.forEach((name, value) -> {
                if (!name.equals("event")) {
                    assertThat(redacted.get(name)).as(name).isEqualTo(value);
                }
            });
            assertThat(redacted.get("event").s())
                    .contains(EncryptedValues.erased(customer), "\"attribute_key\":\"nickname\"")
                    .doesNotContain(secrets);
        }
    }

    /** The customer's raw log items by event key. */
    private Map<String, Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> logItems(
            String customer) {
        Map<String, Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> items =
                new java.util.TreeMap<>();
        dynamo.queryPaginator(b -> b.tableName(tables.eventLog())
                        .consistentRead(true)
                        .keyConditionExpression("customer_id = :c")
                        .expressionAttributeValues(Map.of(
                                ":c", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(customer))))
                .items()
                .forEach(item -> items.put(item.get(AsofTables.EVENT_KEY).s(), item));
        return items;
    }

    /**
     * An erasure's wait for key caches holds no worker ({@code asof.erasure.workers} is 1 here): the second of two
     * erasures asked for together destroys its keys while the first still waits, not after it ended.
     */
    @Test
    void erasuresAskedForTogetherWaitSideBySide() {
        String first = Events.newCustomerId("erw");
        String second = Events.newCustomerId("erw");
        accepted(event(first, "2026-01-02T00:00:00Z", "email", "first-" + UUID.randomUUID()));
        accepted(event(second, "2026-01-02T00:00:00Z", "email", "second-" + UUID.randomUUID()));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !eventLog.eventsUpTo(first, Timestamps.LATEST, Timestamps.LATEST)
                                .isEmpty()
                        && !eventLog.eventsUpTo(second, Timestamps.LATEST, Timestamps.LATEST)
                                .isEmpty());

        String firstAt = requestErasure(first);
        String secondAt = requestErasure(second);
        assertThat(awaitEnded(firstAt).get("state").stringValue()).isEqualTo("completed");
        assertThat(awaitEnded(secondAt).get("state").stringValue()).isEqualTo("completed");

        var firstDone =
                erasures.find(firstAt.substring(firstAt.lastIndexOf('/') + 1)).orElseThrow();
        var secondDone =
                erasures.find(secondAt.substring(secondAt.lastIndexOf('/') + 1)).orElseThrow();
        assertThat(secondDone.keysDestroyedAt())
                .as("the second erasure's keys are destroyed while the first waits (3 s here)")
                .isBefore(firstDone.completedAt());
    }

    /**
     * A member's erasure asked for before its survivor's erasure (asked for first) resolved the group waits until the
     * survivor's erasure ended: two erasures of one identity side by side would each destroy, keep aside and purge its
     * key as the other's steps need it.
     */
    @Test
    void aMembersErasureWaitsForAnEarlierErasureOfItsGroup() {
        String survivor = Events.newCustomerId("ers");
        String member = Events.newCustomerId("erm");
        String busy = Events.newCustomerId("erb");
        accepted(event(survivor, "2026-01-02T00:00:00Z", "email", "s-" + UUID.randomUUID()));
        accepted(event(member, "2026-01-02T00:00:00Z", "email", "m-" + UUID.randomUUID()));
        accepted(event(busy, "2026-01-02T00:00:00Z", "email", "b-" + UUID.randomUUID()));
        log.merged(member, survivor, "2026-01-03T00:00:00Z");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> List.of(survivor, member, busy).stream()
                        .noneMatch(id -> eventLog.eventsUpTo(id, Timestamps.LATEST, Timestamps.LATEST)
                                .isEmpty()));
        // the one worker held by another erasure waiting for its event to be logged, so neither erasure below has
        // resolved its identities when both are asked for
        logWriter.pause();
        String busyAt = requestErasure(busy);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get(busyAt, TestApiKeys.ALL_SCOPES).body().contains("\"step\":\"append\""));
        String groupAt = requestErasure(survivor);
        String memberAt = requestErasure(member);
        assertThat(memberAt).as("a second erasure, not the group's").isNotEqualTo(groupAt);
        logWriter.resume();

        JsonNode[] ended = new JsonNode[3];
        List<String> locations = List.of(busyAt, groupAt, memberAt);
        for (int k = 0; k < 3; k++) {
            ended[k] = awaitEnded(locations.get(k));
            assertThat(ended[k].get("state").stringValue())
                    .as(ended[k].toString())
                    .isEqualTo("completed");
            assertThat(ended[k].at("/proof/verified").booleanValue())
                    .as(ended[k].toString())
                    .isTrue();
        }
        // the group's erasure kept the member's destroyed key aside and purged it; the member's own erasure ran after
        // it ended (side by side, it would have taken that key as its own to keep and purge)
        assertThat(ended[1].at("/proof/steps/destroy_keys/retired_generations/" + member)
                        .size())
                .as(ended[1].toString())
                .isEqualTo(1);
        assertThat(ended[2].at("/proof/steps/destroy_keys/retired_generations/" + member)
                        .size())
                .as(ended[2].toString())
                .isZero();
    }

    /**
     * A returning customer's event taken while the erasure runs keeps its intake ledger entry: a re-send is still a
     * duplicate, and other content under its id is still refused (a probe got a changed re-send answered 202 and
     * never stored, once the erasure had deleted the entry with the data subject's).
     */
    @Test
    void aReturningCustomersEventTakenWhileTheErasureRunsKeepsItsDuplicateProtection() throws Exception {
        String customer = Events.newCustomerId("erl");
        EventEnvelope before = event(customer, "2026-01-02T00:00:00Z", "email", "before-" + UUID.randomUUID());
        accepted(before);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> eventLog.find(customer, before.timestampUtc(), before.eventId())
                        .isPresent());
        String location = requestErasure(customer);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> cipher.erasedAt(customer) != null);
        Thread.sleep(5);
        EventEnvelope returning =
                event(customer, Timestamps.format(Instant.now()), "email", "after-" + UUID.randomUUID());
        accepted(returning);
        JsonNode done = awaitEnded(location);
        assertThat(done.get("state").stringValue()).as(done.toString()).isEqualTo("completed");
        assertThat(done.at("/proof/verified").booleanValue())
                .as(done.toString())
                .isTrue();

        assertThat(submitter
                        .submit(List.of(returning), "test", null, null)
                        .get(0)
                        .status())
                .isEqualTo("duplicate");
        EventEnvelope changed = EventJson.decode(Events.attributeChange(
                returning.eventId(),
                customer,
                Timestamps.format(returning.timestampUtc()),
                "email",
                null,
                "changed-" + UUID.randomUUID(),
                "chat"));
        SubmissionResult refused =
                submitter.submit(List.of(changed), "test", null, null).get(0);
        assertThat(refused.status()).isEqualTo("rejected");
        assertThat(refused.reason()).isEqualTo("event-id-reused");
        // the data subject's own event is forgotten with its values: sent again, it is refused as erased
        assertThat(submitter.submit(List.of(before), "test", null, null).get(0).reason())
                .isEqualTo("erased");
    }

    /**
     * One erasure time everywhere, the request's (the fold's): an event stamped a millisecond after the request, taken
     * after the keys were destroyed a little later, is a returning customer's, at intake and at every read (a probe
     * got reconstruction showing such an event while merge-service answered 410 and intake refused its re-send).
     */
    @Test
    void anEventStampedJustAfterTheRequestIsAReturningCustomers() {
        String customer = Events.newCustomerId("ert");
        accepted(event(customer, "2026-01-02T00:00:00Z", "email", "before-" + UUID.randomUUID()));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !eventLog.eventsUpTo(customer, Timestamps.LATEST, Timestamps.LATEST)
                        .isEmpty());
        HttpResponse<String> requested = erase(customer, "{\"reason\":\"GDPR\",\"requested_by\":\"dpo\"}");
        Instant requestedAt = Instant.parse(
                EventJson.parse(requested.body()).get("requested_at").stringValue());
        JsonNode done = awaitEnded(requested.headers().firstValue("Location").orElseThrow());
        assertThat(done.get("state").stringValue()).as(done.toString()).isEqualTo("completed");
        assertThat(Instant.parse(done.get("keys_destroyed_at").stringValue())).isAfter(requestedAt);

        EventEnvelope returning =
                event(customer, Timestamps.format(requestedAt.plusMillis(1)), "email", "after-" + UUID.randomUUID());
        SubmissionResult taken =
                submitter.submit(List.of(returning), "test", null, null).get(0);
        assertThat(taken.status()).as(String.valueOf(taken.reason())).isEqualTo("accepted");
        assertThat(cipher.erasedAt(customer)).isEqualTo(requestedAt);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> eventLog.find(customer, returning.timestampUtc(), returning.eventId())
                        .isPresent());
        HttpResponse<String> identity = api.get("/api/v1/customers/" + customer + "/identity", TestApiKeys.ALL_SCOPES);
        assertThat(identity.statusCode()).as(identity.body()).isEqualTo(200);
        // at the erasure itself, and before it, the customer is still gone
        HttpResponse<String> atErasure = api.get(
                "/api/v1/customers/" + customer + "/identity?at=" + Timestamps.format(requestedAt),
                TestApiKeys.ALL_SCOPES);
        assertThat(atErasure.statusCode()).as(atErasure.body()).isEqualTo(410);
        EventEnvelope stampedAtIt = event(customer, Timestamps.format(requestedAt), "email", "at-" + UUID.randomUUID());
        assertThat(submitter
                        .submit(List.of(stampedAtIt), "test", null, null)
                        .get(0)
                        .reason())
                .isEqualTo("erased");
    }

    /**
     * While its erasure runs (a destroyed key still kept aside), a customer that already came back reads 410 here as it
     * does at reconstruction (a probe read its identity 200 here while every reconstruction read answered 410).
     */
    @Test
    void whileItsErasureRunsAReturningCustomersIdentityIsGone() {
        String customer = Events.newCustomerId("eru");
        SubjectKeys keys = new SubjectKeys(dynamo, tables, kek, 100, Duration.ofSeconds(1), Clock.systemUTC());
        // encrypted: the customer has a key, which the erasure keeps aside while it runs
        log.log(cipher.encrypt(event(customer, "2026-01-02T00:00:00Z", "email", "before-" + UUID.randomUUID())));
        Instant erased = Instant.now().minusSeconds(10);
        log.erased(customer, Timestamps.format(erased));
        keys.destroy(customer, erased);
        log.log(event(customer, Timestamps.format(erased.plusSeconds(1)), "tier", "gold"));
        String path = "/api/v1/customers/" + customer + "/identity";

        HttpResponse<String> during = api.get(path, TestApiKeys.ALL_SCOPES);
        assertThat(during.statusCode()).as(during.body()).isEqualTo(410);
        keys.purgeRetired(customer, keys.retiredGenerations(customer));
        HttpResponse<String> after = api.get(path, TestApiKeys.ALL_SCOPES);
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    }

    private JsonNode awaitEnded(String location) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    HttpResponse<String> response = api.get(location, TestApiKeys.ALL_SCOPES);
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    last[0] = EventJson.parse(response.body());
                    String state = last[0].get("state").stringValue();
                    return state.equals("completed") || state.equals("failed");
                });
        return last[0];
    }

    /**
     * Between an erasure's request and its end, its identities take no merge or unmerge, into or out of them or on
     * their chains (an outside probe merged an identity into another at the moment it was asked to be erased; the
     * erasure had resolved its identities a moment before and left the other one readable).
     */
    @Test
    void anIdentityBeingErasedTakesNoMergeOrUnmerge() {
        String x = Events.newCustomerId("erx");
        String y = Events.newCustomerId("ery");
        String z = Events.newCustomerId("erz");
        for (String customer : List.of(x, y, z)) {
            log.seed(customer, "2026-01-01T00:00:00Z");
        }
        log.merged(z, x, "2026-01-02T00:00:00Z");
        // an erasure of x stored and not run yet: what a command meets between a request and its end
        String erasureId = UUID.randomUUID().toString();
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item = new java.util.HashMap<>();
        item.put(AsofTables.ERASURE_ID, text(erasureId));
        item.put("customer_id", text(x));
        item.put("reason", text("r"));
        item.put("requested_by", text("dpo"));
        item.put("requested_at", text(Instant.now().toString()));
        item.put("state", text("pending"));
        item.put("step", text("RESOLVE"));
        item.put("identities", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromL(List.of()));
        dynamo.putItem(b -> b.tableName(tables.erasures()).item(item));
        dynamo.putItem(b -> b.tableName(tables.erasures())
                .item(Map.of(AsofTables.ERASURE_ID, text("customer#" + x), "latest", text(erasureId))));
        try {
            for (String[] command : new String[][] {
                {"/api/v1/merges", x, y}, {"/api/v1/merges", y, x}, {"/api/v1/unmerges", z, x}, {"/api/v1/merges", y, z}
            }) {
                HttpResponse<String> refused = api.post(
                        command[0],
                        TestApiKeys.ALL_SCOPES,
                        "application/json",
                        "{\"merged_from\":\"" + command[1] + "\",\"merged_into\":\"" + command[2] + "\"}");
                assertThat(refused.statusCode())
                        .as(String.join(" ", command) + ": " + refused.body())
                        .isEqualTo(409);
                assertThat(refused.body()).contains("/problems/erasure-in-progress", erasureId);
            }
        } finally {
            // ended, so no later resume runs it
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> ended =
                    new java.util.HashMap<>(item);
            ended.put("state", text("failed"));
            dynamo.putItem(b -> b.tableName(tables.erasures()).item(ended));
        }
    }

    private static software.amazon.awssdk.services.dynamodb.model.AttributeValue text(String value) {
        return software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(value);
    }

    /**
     * An outside probe lost every event of an erased customer accepted in the minute after its erasure: another
     * replica still had the destroyed key cached and encrypted the returning customer's values with it (202), so they
     * never opened again. Now the erasure keeps the destroyed key aside until it has waited out the caches, drained the
     * topic and re-encrypted such values under the customer's new key.
     */
    @Test
    void aReturningCustomersEventEncryptedByAReplicaWithTheDestroyedKeyCachedIsKept() throws Exception {
        String customer = Events.newCustomerId("ers");
        // another replica (intake) with a key cache that outlives the erasure's wait
        ValueCipher staleReplica =
                new ValueCipher(new SubjectKeys(dynamo, tables, kek, 100, Duration.ofMinutes(5), Clock.systemUTC()));
        String erasedValue = "before-" + UUID.randomUUID();
        EventEnvelope before = event(customer, "2026-01-02T00:00:00Z", "email", erasedValue);
        publish(staleReplica.encrypt(before));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> eventLog.find(customer, before.timestampUtc(), before.eventId())
                        .isPresent());

        // sent before the erasure is asked for, stamped a few seconds ahead (intake takes up to 5 s): the data
        // subject's, to be erased, not a returning customer's
        String earlyValue = "early-" + UUID.randomUUID();
        EventEnvelope early = event(customer, Timestamps.format(Instant.now().plusSeconds(4)), "nickname", earlyValue);
        publish(staleReplica.encrypt(early));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> eventLog.find(customer, early.timestampUtc(), early.eventId())
                        .isPresent());

        HttpResponse<String> requested = erase(customer, "{\"reason\":\"GDPR\",\"requested_by\":\"dpo\"}");
        assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);
        String location = requested.headers().firstValue("Location").orElseThrow();
        // the key is destroyed: the replica's cache does not know yet, and takes the returning customer's event,
        // which the log writer (stopped here) has not logged when the erasure reaches its drain step
        // seen in the table, not through a key cache: the erasure waits only replica-key-cache-wait + in-flight-margin
        // (3 s here) before its drain step, and the event below must reach Kafka within that window
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> dynamo
                        .getItem(b -> b.tableName(tables.subjectKeys())
                                .key(Map.of(AsofTables.CUSTOMER_ID, text(customer)))
                                .consistentRead(true))
                        .item()
                        .keySet()
                        .stream()
                        .anyMatch(name -> name.startsWith("retired_")));
        logWriter.pause();
        String value = "after-" + UUID.randomUUID();
        EventEnvelope returning =
                event(customer, Timestamps.format(Instant.now().plusSeconds(1)), "email", value);
        EventEnvelope encrypted = staleReplica.encrypt(returning);
        publish(encrypted);
        assertThat(api.get(location, TestApiKeys.ALL_SCOPES).body())
                .as("the event reached Kafka while the erasure still waited in its destroy_keys step")
                .contains("\"step\":\"destroy_keys\"");
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> api.get(location, TestApiKeys.ALL_SCOPES).body().contains("\"step\":\"drain\""));
        Thread.sleep(2000);
        assertThat(api.get(location, TestApiKeys.ALL_SCOPES).body())
                .as("the erasure waits for the log writer")
                .contains("\"step\":\"drain\"", "\"state\":\"running\"");
        logWriter.resume();

        JsonNode done = awaitEnded(location);
        assertThat(done.get("state").stringValue()).as(done.toString()).isEqualTo("completed");
        JsonNode proof = done.get("proof");
        assertThat(proof.get("verified").booleanValue()).as(proof.toString()).isTrue();
        assertThat(proof.at("/steps/reencrypt/values_reencrypted").asInt())
                .as(proof.toString())
                .isEqualTo(1);
        assertThat(proof.at("/steps/purge_keys/retired_keys_destroyed").asInt()).isEqualTo(1);
        // the returning customer's value reads back, under its new key; the old one is gone for good
        RecordedEvent logged = eventLog.find(customer, returning.timestampUtc(), returning.eventId())
                .orElseThrow();
        assertThat(logged.event()).isNotEqualTo(encrypted);
        assertThat(cipher.decrypt(logged.event())).isEqualTo(returning);
        assertThat(dynamo.getItem(b -> b.tableName(tables.subjectKeys())
                                .key(Map.of(AsofTables.CUSTOMER_ID, text(customer)))
                                .consistentRead(true))
                        .item()
                        .keySet())
                .noneMatch(name -> name.startsWith("retired_"));
        // the erased values stay erased, the early one too, though stamped after the erasure
        assertThat(EventJson.encode(eventLog.find(customer, before.timestampUtc(), before.eventId())
                        .orElseThrow()
                        .event()))
                .contains(EncryptedValues.erased(customer))
                .doesNotContain(erasedValue);
        assertThat(EventJson.encode(eventLog.find(customer, early.timestampUtc(), early.eventId())
                        .orElseThrow()
                        .event()))
                .contains(EncryptedValues.erased(customer))
                .doesNotContain(earlyValue);
        assertThat(proof.at("/steps/request/topic_end_offsets").size()).isPositive();
        HttpResponse<String> back = api.get("/api/v1/customers/" + customer + "/identity", TestApiKeys.ALL_SCOPES);
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
    }

    @AfterAll
    static void closeProducer() {
        if (producer != null) {
            producer.close();
        }
    }

    /** Publishes {@code event} as intake does, past this service's own write path. */
    private static void publish(EventEnvelope event) throws Exception {
        synchronized (ErasureIT.class) {
            if (producer == null) {
                producer = new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers()),
                        new StringSerializer(),
                        new StringSerializer());
            }
        }
        producer.send(new ProducerRecord<>(AsofTopics.PROFILE_EVENTS, event.customerId(), EventJson.encode(event)))
                .get(30, TimeUnit.SECONDS);
    }

    /** Asks to erase {@code customer}; where the erasure is. */
    private String requestErasure(String customer) {
        HttpResponse<String> requested = erase(customer, "{\"reason\":\"GDPR\",\"requested_by\":\"dpo\"}");
        assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);
        return requested.headers().firstValue("Location").orElseThrow();
    }

    private HttpResponse<String> erase(String customer, String body) {
        return api.post("/api/v1/customers/" + customer + "/erasure", TestApiKeys.ALL_SCOPES, "application/json", body);
    }

    private void accepted(EventEnvelope event) {
        assertThat(submitter.submit(List.of(event), "test", null, null).get(0).status())
                .isEqualTo("accepted");
    }

    private static EventEnvelope event(String customer, String timestamp, String key, String value) {
        return EventJson.decode(
                Events.attributeChange(UUID.randomUUID().toString(), customer, timestamp, key, null, value, "chat"));
    }
}
