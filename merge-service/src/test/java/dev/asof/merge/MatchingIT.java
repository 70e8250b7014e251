package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.EventMetadata;
import dev.asof.events.ProfileErased;
import dev.asof.events.ProfileEvent;
import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Match suggestions over the real Kafka broker and dynalite: the index follows the topic (new profiles, a changed
 * phone, merges, unmerges, erasures), and every endpoint answers from it. The log writer's part (log and view) is
 * played by {@link LogWriterStandIn}.
 */
// closed after the class: its index follower would go on indexing (and, with auto-merge, merging) the customers of
// the test classes after it (a CI run's MatchingIT found its two identities auto-merged by AutoMergeIT's context)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MatchingIT {

    /** Each event a millisecond after the one before: a later write is a later change. */
    private static final AtomicLong CLOCK = new AtomicLong();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        registry.add("asof.matching.index-enabled", () -> "true");
        registry.add("asof.matching.index-group", () -> "matching-it-" + UUID.randomUUID());
        registry.add("asof.matching.index-start", () -> "latest");
        registry.add("asof.matching.index-wait", () -> "5s");
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
    KafkaListenerEndpointRegistry listeners;

    ApiClient api;
    LogWriterStandIn logWriter;
    String chat;
    String voice;
    String other;
    String email;
    String phone;
    String otherPhone;

    @BeforeEach
    void people() {
        MatchFollowerReady.awaitPartitions(listeners);
        api = ApiClient.localhost(port);
        logWriter = LogWriterStandIn.start(new IdentityLogFixture(eventLog, identityLinks, views));
        Random random = new Random();
        String tag = Integer.toString(random.nextInt(1_000_000));
        chat = Events.newCustomerId("chat");
        voice = Events.newCustomerId("voice");
        other = Events.newCustomerId("other");
        email = "maria.garcia" + tag + "@gmail.com";
        phone = "+3460" + String.format("%07d", random.nextInt(10_000_000));
        otherPhone = "+3461" + String.format("%07d", random.nextInt(10_000_000));
        write(chat, "email", email.toUpperCase());
        write(chat, "name_first", "María");
        write(chat, "name_last", "García");
        write(chat, "date_of_birth", "1985-04-12");
        write(voice, "phone", phone);
        write(voice, "email", email.replace(".", "").replace("@gmailcom", "+shop@gmail.com"));
        write(voice, "name_first", "Maria");
        write(voice, "name_last", "Garcia");
        write(voice, "date_of_birth", "1985-04-12");
        write(other, "phone", otherPhone);
        write(other, "name_first", "John");
        write(other, "name_last", "Smith" + tag);
    }

    @AfterEach
    void stop() throws InterruptedException {
        logWriter.close();
    }

    @Test
    void theSamePersonOnTwoChannelsIsSuggestedWithItsEvidence() {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        assertThat(ids(match("{\"email\":\"" + email + "\"}"))).contains(chat, voice));

        JsonNode answer = candidatesOf(chat);
        JsonNode best = answer.get("candidates").get(0);
        assertThat(best.get("customer_id").stringValue()).isEqualTo(voice);
        assertThat(best.get("decision").stringValue()).isIn("auto_merge", "review");
        assertThat(best.get("score").doubleValue()).isBetween(0.0, 1.0);
        List<String> evidence = new ArrayList<>();
        best.get("evidence")
                .forEach(e -> evidence.add(
                        e.get("attribute").stringValue() + " " + e.get("level").stringValue()));
        assertThat(evidence).anyMatch(e -> e.startsWith("email "));
        assertThat(ids(answer)).doesNotContain(chat).doesNotContain(other);

        JsonNode flat =
                EventJson.parse(post("/api/v1/match?view=flat", "{\"attributes\":{\"phone\":\"" + phone + "\"}}")
                        .body());
        assertThat(flat.get("best_customer_id").stringValue()).isEqualTo(voice);
        assertThat(flat.get("best_decision").stringValue()).isIn("auto_merge", "review", "none");
        assertThat(flat.get("candidate_count").stringValue()).isEqualTo("1");
    }

    @Test
    void theIndexFollowsChangesMergesUnmergesAndErasures() {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        assertThat(ids(match("{\"phone\":\"" + phone + "\"}"))).containsExactly(voice));

        String newPhone = "+3462" + phone.substring(5);
        write(voice, "phone", newPhone);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ids(match("{\"phone\":\"" + phone + "\"}"))).doesNotContain(voice);
            assertThat(ids(match("{\"phone\":\"" + newPhone + "\"}"))).containsExactly(voice);
        });

        // merged: voice is a member of chat's profile, never its own candidate, and found as chat
        assertThat(mergeCommand("/api/v1/merges").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ids(candidatesOf(chat))).doesNotContain(voice, chat);
            assertThat(ids(match("{\"phone\":\"" + newPhone + "\"}"))).containsExactly(chat);
        });
        assertThat(mergeCommand("/api/v1/unmerges").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(ids(candidatesOf(chat))).contains(voice));

        publish(other, new ProfileErased("gdpr_article_17"));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(ids(match("{\"phone\":\"" + otherPhone + "\"}")))
                        .isEmpty());
    }

    @Test
    void badRequestsAreProblemsNamingTheField() {
        assertInvalid(post("/api/v1/match", "{\"attributes\":{\"shoe_size\":\"44\"}}"), "/attributes/shoe_size");
        assertInvalid(post("/api/v1/match", "{\"attributes\":{\"phone\":12}, \"limit\": 0}"), "/limit");
        assertInvalid(post("/api/v1/match", "{\"attributes\":[]}"), "/attributes");
        assertInvalid(post("/api/v1/match", "{}"), "/attributes");
        // a probe matched on a NUL and on dates that are none, and got 200 with nothing said
        assertInvalid(post("/api/v1/match", "{\"attributes\":{\"phone\":\"600\\u0000111\"}}"), "/attributes/phone");
        assertInvalid(post("/api/v1/match", "{\"attributes\":{\"phone\":\"600\\u0085111\"}}"), "/attributes/phone");
        assertInvalid(post("/api/v1/match", "{\"attributes\":{\"email\":\"\\ud800@x.test\"}}"), "/attributes/email");
        for (String date : List.of("1985-13-40", "14/03/1985", "1850-01-01", "yesterday")) {
            HttpResponse<String> odd = post("/api/v1/match", "{\"attributes\":{\"date_of_birth\":\"" + date + "\"}}");
            assertInvalid(odd, "/attributes/date_of_birth");
            assertThat(odd.body()).contains("\"format\"").doesNotContain(date);
        }
        assertThat(post("/api/v1/match", "{\"attributes\":{\"date_of_birth\":\"1985-03-14T00:00:00Z\"}}")
                        .statusCode())
                .isEqualTo(200);
        assertInvalid(post("/api/v1/match", "[1]"), "");
        assertInvalid(
                post("/api/v1/match", "{\"attributes\":{\"email\":\"" + "x".repeat(300) + "\"}}"), "/attributes/email");
        assertInvalid(
                api.get("/api/v1/customers/" + chat + "/match-candidates?limit=99", TestApiKeys.ALL_SCOPES), "limit");
        assertInvalid(api.get("/api/v1/customers/bad%21id/match-candidates", TestApiKeys.ALL_SCOPES), "id");
        assertInvalid(
                api.get("/api/v1/customers/" + chat + "/match-candidates?view=tiny", TestApiKeys.ALL_SCOPES), "view");
        HttpResponse<String> unknown = api.get(
                "/api/v1/customers/" + Events.newCustomerId("nobody") + "/match-candidates", TestApiKeys.ALL_SCOPES);
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
        assertThat(unknown.body()).contains("/problems/profile-not-found");
        // an interaction that tells nothing usable finds nobody, and that is no error
        HttpResponse<String> withheld =
                post("/api/v1/match", "{\"attributes\":{\"phone\":\"anonymous\",\"email\":\"\"}}");
        assertThat(withheld.statusCode()).as(withheld.body()).isEqualTo(200);
        assertThat(EventJson.parse(withheld.body()).get("candidates")).isEmpty();
    }

    @Test
    void everyEndpointNeedsProfileRead() {
        String body = "{\"attributes\":{\"phone\":\"" + phone + "\"}}";
        for (String key : new String[] {null, "no-such-key"}) {
            assertThat(api.postJson("/api/v1/match", key, body).statusCode()).isEqualTo(401);
            assertThat(api.get("/api/v1/customers/" + chat + "/match-candidates", key)
                            .statusCode())
                    .isEqualTo(401);
            assertThat(api.get("/api/v1/integrations/genesys/match-action", key).statusCode())
                    .isEqualTo(401);
        }
        assertThat(api.postJson("/api/v1/match", TestApiKeys.EVENTS_WRITE_ONLY, body)
                        .statusCode())
                .isEqualTo(403);
        assertThat(api.get("/api/v1/customers/" + chat + "/match-candidates", TestApiKeys.EVENTS_WRITE_ONLY)
                        .statusCode())
                .isEqualTo(403);
        assertThat(api.postJson("/api/v1/match", TestApiKeys.PROFILE_READ_ONLY, body)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void theGenesysMatchActionImportsAsAFlatLookup() {
        HttpResponse<String> response =
                api.get("/api/v1/integrations/genesys/match-action", TestApiKeys.PROFILE_READ_ONLY);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode action = EventJson.parse(response.body());
        JsonNode request = action.get("config").get("request");
        assertThat(request.get("requestUrlTemplate").stringValue()).endsWith("/api/v1/match?view=flat");
        assertThat(request.get("requestType").stringValue()).isEqualTo("POST");
        assertThat(request.get("requestTemplate").stringValue())
                .contains("${input.phone}", "${input.address_postcode}");
        assertThat(action.get("secure").booleanValue()).isTrue();
        assertThat(action.get("contract")
                        .get("output")
                        .get("successSchema")
                        .get("properties")
                        .has("best_customer_id"))
                .isTrue();
        assertThat(api.get("/api/v1/integrations/genesys/match-action?credentials=oauth", TestApiKeys.PROFILE_READ_ONLY)
                        .body())
                .contains("${authResponse.access_token}");
    }

    private HttpResponse<String> mergeCommand(String path) {
        return api.postJson(
                path,
                TestApiKeys.ALL_SCOPES,
                "{\"merged_into\":\"" + chat + "\",\"merged_from\":\"" + voice + "\",\"decided_by\":\"agent_1\"}");
    }

    private JsonNode match(String attributes) {
        HttpResponse<String> response = post("/api/v1/match", "{\"attributes\":" + attributes + ",\"limit\":10}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return EventJson.parse(response.body());
    }

    private JsonNode candidatesOf(String customer) {
        HttpResponse<String> response =
                api.get("/api/v1/customers/" + customer + "/match-candidates?limit=10", TestApiKeys.PROFILE_READ_ONLY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return EventJson.parse(response.body());
    }

    private HttpResponse<String> post(String path, String body) {
        return api.postJson(path, TestApiKeys.PROFILE_READ_ONLY, body);
    }

    private static List<String> ids(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.get("candidates")
                .forEach(candidate -> ids.add(candidate.get("customer_id").stringValue()));
        return ids;
    }

    private void write(String customer, String key, String value) {
        publish(customer, new AttributeChanged(key, null, AttributeValue.text(value), "test"));
    }

    private void publish(String customer, ProfileEvent payload) {
        EventEnvelope event = new EventEnvelope(
                UUID.randomUUID().toString(),
                Instant.parse("2026-01-01T00:00:00Z").plusMillis(CLOCK.incrementAndGet()),
                customer,
                "test",
                EventMetadata.EMPTY,
                payload,
                EventEnvelope.SCHEMA_VERSION);
        assertThat(submitter.submit(List.of(event), "test", null, null))
                .singleElement()
                .satisfies(result -> assertThat(result.status()).isEqualTo("accepted"));
    }

    private static void assertInvalid(HttpResponse<String> response, String pointer) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        List<String> pointers = new ArrayList<>();
        EventJson.parse(response.body())
                .get("errors")
                .forEach(e -> pointers.add(e.get("pointer").stringValue()));
        assertThat(pointers).as(response.body()).contains(pointer);
    }
}
