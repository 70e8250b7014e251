package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.EventMetadata;
import dev.asof.matching.MatchRecord;
import dev.asof.merge.matching.MatchIndex;
import dev.asof.merge.matching.MatchIndexer;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The match-index backfill over dynalite: tables of their own (a fresh prefix), views written as the log writer
 * writes them (values encrypted), the index follower off, so the index starts empty as after bounded retention. A
 * walk of the endpoint page by page indexes every identity without an entry, finds each by its values (a merged
 * member as its profile), leaves an entry that exists alone, and a second walk indexes nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class IndexBackfillIT {

    private static final AtomicLong CLOCK = new AtomicLong();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        registry.add(
                "asof.dynamodb.table-prefix",
                () -> "backfill_" + UUID.randomUUID().toString().substring(0, 8) + "_");
        registry.add("asof.matching.index-enabled", () -> "false");
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
    MatchIndex index;

    @Autowired
    MatchIndexer indexer;

    @Test
    void aWalkIndexesEveryIdentityWithoutAnEntryAndLeavesTheOthers() {
        ApiClient api = ApiClient.localhost(port);
        IdentityLogFixture log = new IdentityLogFixture(eventLog, identityLinks, views);
        Random random = new Random(20261201);
        List<String> customers = new ArrayList<>();
        List<String> phones = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String customer = Events.newCustomerId("quiet");
            String phone = "+3460" + String.format("%07d", random.nextInt(10_000_000));
            write(log, customer, "phone", phone);
            write(log, customer, "name_last", "Quiet" + i);
            customers.add(customer);
            phones.add(phone);
        }
        // the last one is merged into the first: found as the first
        log.merged(customers.get(5), customers.get(0), "2026-01-02T00:00:00Z");
        // one the follower indexed before its phone changed: the backfill leaves its entry alone
        String indexed = Events.newCustomerId("indexed");
        String oldPhone = "+3461" + String.format("%07d", random.nextInt(10_000_000));
        write(log, indexed, "phone", oldPhone);
        indexer.refresh(indexed);
        write(log, indexed, "phone", "+3462" + oldPhone.substring(5));
        // one whose view holds a value marked as encrypted that no key opens: skipped, and the walk goes on
        String unopenable = Events.newCustomerId("unopenable");
        log.log(new EventEnvelope(
                UUID.randomUUID().toString(),
                Instant.parse("2026-01-01T00:00:00Z"),
                unopenable,
                "test",
                EventMetadata.EMPTY,
                new AttributeChanged("phone", null, AttributeValue.text("asof:enc:v1:" + unopenable + ":AAAA"), "test"),
                EventEnvelope.SCHEMA_VERSION));
        assertThat(index.find(customers.get(0))).isEmpty();

        int[] first = walk(api, 3);
        assertThat(first).as("scanned, indexed, already indexed, failed").containsExactly(8, 6, 1, 1);
        for (int i = 0; i < 5; i++) {
            assertThat(matchIds(api, phones.get(i))).containsExactly(customers.get(i));
        }
        assertThat(matchIds(api, phones.get(5))).containsExactly(customers.get(0));
        assertThat(matchIds(api, oldPhone)).containsExactly(indexed);
        assertThat(index.find(indexed).orElseThrow().keys()).contains("phone:" + oldPhone);

        assertThat(index.find(unopenable)).isEmpty();

        assertThat(walk(api, 1000)).as("a second walk indexes nothing").containsExactly(8, 0, 7, 1);
    }

    /**
     * The backfill and the follower writing one identity's first record at once: whichever writes second finds the
     * record there and neither overwrites it nor leaves keys that the record does not have (they may hold values the
     * winner no longer has, such as an erased identity's phone).
     */
    @Test
    void aBackfillAndTheFollowerWritingAtOnceLeaveNoKeyTheRecordDoesNotHave() {
        String customer = Events.newCustomerId("race");
        String kept = "phone:+3463" + String.format("%07d", new Random().nextInt(10_000_000));
        String dropped = "phone:+3464" + String.format("%07d", new Random().nextInt(10_000_000));
        MatchIndex.Indexed follower = indexed(customer, Set.of(kept));
        MatchIndex.Indexed backfill = indexed(customer, Set.of(kept, dropped));

        assertThat(index.put(follower, null)).isTrue();
        assertThat(index.putIfAbsent(backfill)).as("the follower came first").isFalse();
        assertThat(index.find(customer).orElseThrow().keys()).containsExactly(kept);
        assertThat(index.sharing(kept, 10)).contains(customer);
        assertThat(index.sharing(dropped, 10))
                .as("the backfill's extra key is gone")
                .doesNotContain(customer);

        String other = Events.newCustomerId("race");
        assertThat(index.putIfAbsent(indexed(other, Set.of(dropped)))).isTrue();
        assertThat(index.put(indexed(other, Set.of(kept)), null))
                .as("the backfill came first: the follower reads again rather than overwrite")
                .isFalse();
        assertThat(index.find(other).orElseThrow().keys()).containsExactly(dropped);
        assertThat(index.put(indexed(other, Set.of(kept)), index.find(other).orElseThrow()))
                .isTrue();
        assertThat(index.sharing(dropped, 10)).doesNotContain(other);
        assertThat(index.sharing(kept, 10)).contains(other, customer);
    }

    private static MatchIndex.Indexed indexed(String customer, Set<String> keys) {
        return new MatchIndex.Indexed(
                new MatchRecord(customer, Set.of(), Set.of(), "Jane", "Doe", null, null), keys, null, false);
    }

    @Test
    void badParametersAreProblemsAndTheScopeIsChecked() {
        ApiClient api = ApiClient.localhost(port);
        assertProblem(post(api, "?limit=0", TestApiKeys.ALL_SCOPES), 400, "limit");
        assertProblem(post(api, "?limit=1001", TestApiKeys.ALL_SCOPES), 400, "limit");
        assertProblem(post(api, "?limit=x", TestApiKeys.ALL_SCOPES), 400, "limit");
        assertProblem(post(api, "?cursor=bm90LWEtY3Vyc29y", TestApiKeys.ALL_SCOPES), 400, "cursor");
        assertProblem(post(api, "?cursor=%25%25", TestApiKeys.ALL_SCOPES), 400, "cursor");
        String badId =
                Base64.getUrlEncoder().withoutPadding().encodeToString("v1:bad id!".getBytes(StandardCharsets.UTF_8));
        assertProblem(post(api, "?cursor=" + badId, TestApiKeys.ALL_SCOPES), 400, "cursor");
        assertProblem(post(api, "?cursor=" + "A".repeat(600), TestApiKeys.ALL_SCOPES), 400, "cursor");
        assertThat(post(api, "", null).statusCode()).isEqualTo(401);
        assertThat(post(api, "", TestApiKeys.PROFILE_READ_ONLY).statusCode()).isEqualTo(403);
        assertThat(post(api, "", TestApiKeys.EVENTS_WRITE_ONLY).statusCode()).isEqualTo(403);
    }

    /** Walks the backfill to its end; {scanned, indexed, already indexed, failed} summed over the pages. */
    private static int[] walk(ApiClient api, int limit) {
        int[] totals = new int[4];
        String cursor = null;
        int pages = 0;
        do {
            HttpResponse<String> response =
                    post(api, "?limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor), TestApiKeys.ALL_SCOPES);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode page = EventJson.parse(response.body());
            assertThat(page.get("scanned").asInt()).isLessThanOrEqualTo(limit);
            totals[0] += page.get("scanned").asInt();
            totals[1] += page.get("indexed").asInt();
            totals[2] += page.get("already_indexed").asInt();
            totals[3] += page.get("failed").asInt();
            cursor = page.get("next_cursor").isNull()
                    ? null
                    : page.get("next_cursor").stringValue();
            assertThat(++pages).as("pages").isLessThan(20);
        } while (cursor != null);
        return totals;
    }

    private static HttpResponse<String> post(ApiClient api, String query, String key) {
        return api.postJson("/api/v1/matching/index/backfill" + query, key, "");
    }

    private static List<String> matchIds(ApiClient api, String phone) {
        HttpResponse<String> response = api.postJson(
                "/api/v1/match", TestApiKeys.PROFILE_READ_ONLY, "{\"attributes\":{\"phone\":\"" + phone + "\"}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        EventJson.parse(response.body())
                .get("candidates")
                .forEach(candidate -> ids.add(candidate.get("customer_id").stringValue()));
        return ids;
    }

    private static void assertProblem(HttpResponse<String> response, int status, String parameter) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("\"" + parameter + "\"");
    }

    private void write(IdentityLogFixture log, String customer, String key, String value) {
        log.log(cipher.encrypt(new EventEnvelope(
                UUID.randomUUID().toString(),
                Instant.parse("2026-01-01T00:00:00Z").plusMillis(CLOCK.incrementAndGet()),
                customer,
                "test",
                EventMetadata.EMPTY,
                new AttributeChanged(key, null, AttributeValue.text(value), "test"),
                EventEnvelope.SCHEMA_VERSION)));
    }
}
