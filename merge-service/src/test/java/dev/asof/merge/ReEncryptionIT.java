package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.EncryptedValues;
import dev.asof.events.EventJson;
import dev.asof.events.IdentityState;
import dev.asof.events.RecordedEvent;
import dev.asof.events.Timestamps;
import dev.asof.privacy.SubjectKeys;
import dev.asof.privacy.ValueCipher;
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
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Items written before encryption was turned on, re-encrypted page by page through {@code POST
 * /api/v1/privacy/re-encryption} over real dynalite: every plaintext value of the log and the views ends encrypted
 * with its customer's key and decrypts back to what it was; an erased customer is skipped; a second pass changes
 * nothing; bad parameters are 400 naming the parameter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReEncryptionIT {

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
    ValueCipher cipher;

    @Autowired
    SubjectKeys keys;

    @Autowired
    AsofTables tables;

    @Test
    void plaintextItemsEndEncryptedAndReadTheSame() {
        ApiClient api = ApiClient.localhost(port);
        IdentityLogFixture log = new IdentityLogFixture(eventLog, identityLinks, views);
        String legacy = Events.newCustomerId("legacy");
        String erased = Events.newCustomerId("legerased");
        String email = "legacy-" + UUID.randomUUID() + "@example.test";
        log.log(EventJson.decode(Events.attributeChange(
                UUID.randomUUID().toString(), legacy, "2025-01-01T00:00:00Z", "email", null, email, "chat")));
        log.log(EventJson.decode(Events.attributeChange(
                UUID.randomUUID().toString(), legacy, "2025-01-02T00:00:00Z", "tier", "silver", "gold", "voice")));
        log.log(EventJson.decode(Events.attributeChange(
                UUID.randomUUID().toString(),
                erased,
                "2025-01-01T00:00:00Z",
                "email",
                null,
                "x@example.test",
                "chat")));
        keys.destroy(erased);
        // a packed page of the log (reconstruction writes them for timelines) copied from the plaintext items
        List<RecordedEvent> plain = eventLog.eventsUpTo(legacy, Timestamps.LATEST, Timestamps.LATEST);
        LogPages pages = new LogPages(SharedInfrastructure.dynamoClient(), tables);
        assertThat(pages.save(
                        legacy,
                        0,
                        plain.get(plain.size() - 1).event().timestampUtc().toEpochMilli(),
                        plain.stream()
                                .mapToLong(RecordedEvent::recordedAt)
                                .max()
                                .orElseThrow(),
                        plain,
                        java.time.Instant.now()))
                .isEqualTo(LogPages.Saved.WRITTEN);

        int[] totals = walk(api, "event_log");
        walk(api, "profile_view");
        walk(api, "log_pages");
        assertThat(pages.last(legacy)).as("the page holding plaintext, deleted").isEmpty();

        assertThat(totals[0]).as("log values encrypted").isGreaterThanOrEqualTo(3);
        assertThat(totals[1]).as("erased customers skipped").isGreaterThanOrEqualTo(1);
        List<RecordedEvent> logged = eventLog.eventsUpTo(legacy, Timestamps.LATEST, Timestamps.LATEST);
        assertThat(logged).hasSize(2);
        for (RecordedEvent event : logged) {
            String json = EventJson.encode(event.event());
            assertThat(json).doesNotContain(email, "\"gold\"", "\"silver\"").contains(EncryptedValues.PREFIX + legacy);
        }
        assertThat(EventJson.encode(cipher.decrypt(logged.get(0).event()))).contains(email);
        IdentityState view = views.find(legacy).orElseThrow().state();
        assertThat(ValueCipher.isCiphertext(view.attributes().get("email").value()))
                .isTrue();
        assertThat(cipher.decrypt(view).attributes().get("email").value().asText())
                .isEqualTo(email);
        // the erased customer's plaintext is the erasure's to redact, never given a new key
        assertThat(EventJson.encode(eventLog.eventsUpTo(erased, Timestamps.LATEST, Timestamps.LATEST)
                        .get(0)
                        .event()))
                .contains("x@example.test");

        // a second pass changes nothing of these customers
        List<RecordedEvent> before = eventLog.eventsUpTo(legacy, Timestamps.LATEST, Timestamps.LATEST);
        walk(api, "event_log");
        assertThat(eventLog.eventsUpTo(legacy, Timestamps.LATEST, Timestamps.LATEST))
                .isEqualTo(before);

        // a page of data keys rewrapped under the KEK's primary (after a rotation, KekRotationIT): tombstones skipped,
        // data keys unchanged, so every value still reads the same
        HttpResponse<String> rewrap = post(api, "?store=subject_keys&limit=50", TestApiKeys.ALL_SCOPES);
        assertThat(rewrap.statusCode()).as(rewrap.body()).isEqualTo(200);
        JsonNode page = EventJson.parse(rewrap.body());
        assertThat(page.get("store").stringValue()).isEqualTo("subject_keys");
        assertThat(page.get("scanned").asInt()).isBetween(1, 50);
        assertThat(page.get("items_changed").asInt()
                        + page.get("skipped_erased").asInt())
                .isBetween(1, page.get("scanned").asInt());
        assertThat(page.get("values_encrypted").asInt()).isZero();
        assertThat(keys.rewrap(legacy)).isTrue();
        assertThat(keys.rewrap(erased)).isFalse();
        assertThat(EventJson.encode(cipher.decrypt(eventLog.eventsUpTo(legacy, Timestamps.LATEST, Timestamps.LATEST)
                        .get(0)
                        .event())))
                .contains(email);
    }

    @Test
    void badParametersAreRefusedAndTheScopeIsChecked() {
        ApiClient api = ApiClient.localhost(port);
        assertThat(post(api, "?store=users", TestApiKeys.ALL_SCOPES).body()).contains("\"store\"", "enum");
        assertThat(post(api, "?store=event_log&limit=0", TestApiKeys.ALL_SCOPES).body())
                .contains("\"limit\"", "range");
        assertThat(post(api, "?store=event_log&limit=x", TestApiKeys.ALL_SCOPES).statusCode())
                .isEqualTo(400);
        HttpResponse<String> cursor = post(api, "?store=event_log&cursor=bm90LWEtY3Vyc29y", TestApiKeys.ALL_SCOPES);
        assertThat(cursor.statusCode()).isEqualTo(400);
        assertThat(cursor.body()).contains("\"cursor\"");
        // cursors shaped like this endpoint's but not for the store asked, or with keys DynamoDB refuses: they were
        // passed to DynamoDB, which refused the starting key, and answered 500 (an outside probe)
        for (String[] wrong : new String[][] {
            {"event_log", "{\"customer_id\":\"x\"}"},
            {"snapshots", "{\"customer_id\":\"x\"}"},
            {"log_pages", "{\"customer_id\":\"x\",\"snapshot_key\":\"y\"}"},
            {"log_pages", "{\"customer_id\":\"x\",\"page_key\":\"\"}"},
            {"profile_view", "{\"customer_id\":\"x\",\"event_key\":\"y\"}"},
            {"event_log", "{\"customer_id\":\"\",\"event_key\":\"y\"}"},
            {"event_log", "{\"customer_id\":\"x\",\"event_key\":\"\"}"},
            {"event_log", "{\"customer_id\":\"x\",\"event_key\":\"" + "y".repeat(1_100) + "\"}"},
            {"subject_keys", "{\"customer_id\":\"\"}"}
        }) {
            String encoded = java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(wrong[1].getBytes(java.nio.charset.StandardCharsets.UTF_8));
            HttpResponse<String> answer =
                    post(api, "?store=" + wrong[0] + "&cursor=" + encoded, TestApiKeys.ALL_SCOPES);
            assertThat(answer.statusCode()).as(wrong[0] + " " + wrong[1]).isEqualTo(400);
            assertThat(answer.body()).contains("\"cursor\"");
        }
        assertThat(post(api, "?store=event_log", TestApiKeys.PROFILE_READ_ONLY).statusCode())
                .isEqualTo(403);
        assertThat(post(api, "?store=event_log", null).statusCode()).isEqualTo(401);
    }

    /** Walks {@code store} to its end; {values encrypted, erased skipped}. */
    private static int[] walk(ApiClient api, String store) {
        int[] totals = new int[2];
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> response = post(
                    api,
                    "?store=" + store + "&limit=500" + (cursor == null ? "" : "&cursor=" + cursor),
                    TestApiKeys.ALL_SCOPES);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode page = EventJson.parse(response.body());
            totals[0] += page.get("values_encrypted").asInt();
            totals[1] += page.get("skipped_erased").asInt();
            cursor = page.get("next_cursor").isNull()
                    ? null
                    : page.get("next_cursor").stringValue();
            pages++;
        } while (cursor != null && pages < 10_000);
        return totals;
    }

    private static HttpResponse<String> post(ApiClient api, String query, String key) {
        return api.post("/api/v1/privacy/re-encryption" + query, key, "application/json", "");
    }
}
