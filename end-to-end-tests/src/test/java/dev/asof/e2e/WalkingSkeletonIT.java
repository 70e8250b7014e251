package dev.asof.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.Timestamps;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.ServiceJar;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path through real parts: HTTP into ingestion-service, Kafka, the log writer into dynalite, and a
 * point-in-time read from reconstruction-service, each service its own JVM from its built jar; and identity:
 * merges and unmerges through merge-service, read back from reconstruction-service.
 */
class WalkingSkeletonIT {

    static ServiceJar ingestion;
    static ServiceJar reconstruction;
    static ServiceJar merge;

    /**
     * Values this test writes that no service may ever log (issue #12: no attribute value or request body in logs):
     * checked in every service's whole log, at DEBUG for asof's own code, once the services have stopped.
     */
    static final List<String> WRITTEN_VALUES =
            List.of("maria@example.com", "600111222", "600 111 222", "erase.me@example.com");

    @BeforeAll
    static void startServices() {
        Map<String, String> properties = new java.util.HashMap<>(AsofTestProperties.all());
        properties.put("logging.level.dev.asof", "DEBUG");
        // erasures here wait 8 s for the other services' key caches, not the production 60 s: long enough for a
        // returning customer's event to reach intake while its cache still holds the destroyed key
        properties.put("asof.privacy.key-cache-ttl", "8s");
        properties.put("asof.erasure.replica-key-cache-wait", "8s");
        properties.put("asof.erasure.in-flight-margin", "1s");
        ingestion = ServiceJar.start("ingestion-service", properties);
        reconstruction = ServiceJar.start("reconstruction-service", properties);
        // the match index follows only what this test writes: other tests left thousands of events in the topic
        Map<String, String> mergeProperties = new java.util.HashMap<>(properties);
        mergeProperties.put("asof.matching.index-group", "walking-skeleton-" + UUID.randomUUID());
        mergeProperties.put("asof.matching.index-start", "latest");
        merge = ServiceJar.start("merge-service", mergeProperties);
    }

    @AfterAll
    static void stopServicesAndReadTheirLogs() throws java.io.IOException {
        for (ServiceJar service : new ServiceJar[] {merge, reconstruction, ingestion}) {
            if (service != null) {
                service.close();
            }
        }
        for (ServiceJar service : new ServiceJar[] {merge, reconstruction, ingestion}) {
            if (service != null) {
                String log = java.nio.file.Files.readString(service.logFile());
                assertThat(log).as("the log of %s", service.logFile()).isNotEmpty();
                assertThat(log).as("the log of %s", service.logFile()).doesNotContain(WRITTEN_VALUES);
            }
        }
    }

    @Test
    void anEventPostedToIngestionIsReadBackAtAPointInTime() {
        String customer = Events.newCustomerId("cust_e2e");
        // The guide's case: the voice update stamped 14:30:01 arrives before the chat update stamped 14:30:00.
        post(Events.attributeChange(
                UUID.randomUUID().toString(),
                customer,
                "2023-10-27T14:30:01.000Z",
                "preferred_language",
                "en-US",
                "fr-FR",
                "voice"));
        post(Events.attributeChange(
                UUID.randomUUID().toString(),
                customer,
                "2023-10-27T14:30:00.000Z",
                "preferred_language",
                "en-US",
                "es-ES",
                "chat"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> profile = reconstruction
                    .api()
                    .get(
                            "/api/v1/customers/" + customer + "/profile/at/2023-10-27T14:30:05Z",
                            TestApiKeys.PROFILE_READ_ONLY);
            assertThat(profile.statusCode()).as(profile.body()).isEqualTo(200);
            assertThat(profile.body()).contains("\"preferred_language\":\"fr-FR\"", "\"events_applied\":2");
        });
        HttpResponse<String> before = reconstruction
                .api()
                .get(
                        "/api/v1/customers/" + customer + "/profile/at/2023-10-27T14:30:00.500Z",
                        TestApiKeys.PROFILE_READ_ONLY);
        assertThat(before.body()).contains("\"preferred_language\":\"es-ES\"");
    }

    /**
     * Identity through the built jars: two customers' histories via ingestion, a merge by merge-service's API, the
     * survivor read before and after the merge, the unmerge, the survivor read again, and the lineage.
     */
    @Test
    void aMergeByApiIsReadBeforeAndAfterUndoneAndTraced() {
        String chat = Events.newCustomerId("cust_chat");
        String voice = Events.newCustomerId("cust_voice");
        post(Events.attributeChange(
                UUID.randomUUID().toString(),
                chat,
                "2026-11-01T10:00:00Z",
                "email",
                null,
                "maria@example.com",
                "chat"));
        post(Events.attributeChange(
                UUID.randomUUID().toString(), voice, "2026-11-01T11:00:00Z", "phone", null, "+34600111222", "voice"));
        for (String customer : new String[] {chat, voice}) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> profile(customer, "2026-11-02T00:00:00Z").statusCode() == 200);
        }

        // the match index followed the real log writer: the caller's number finds the voice identity
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(merge.api()
                                .postJson(
                                        "/api/v1/match",
                                        TestApiKeys.PROFILE_READ_ONLY,
                                        "{\"attributes\":{\"phone\":\"+34 600 111 222\"}}")
                                .body())
                        .contains("\"customer_id\":\"" + voice + "\""));

        HttpResponse<String> merged = merge.api()
                .postJson(
                        "/api/v1/merges",
                        TestApiKeys.ALL_SCOPES,
                        "{\"merged_into\":\"" + voice + "\",\"merged_from\":\"" + chat + "\","
                                + "\"effective_at\":\"2026-11-10T09:00:00Z\",\"reason\":\"caller confirmed the chat email\","
                                + "\"decided_by\":\"agent_12345\",\"evidence\":{\"email\":\"exact\"}}");
        assertThat(merged.statusCode()).as(merged.body()).isEqualTo(202);
        // the answer comes once the event is logged: the next command and every read see the merge
        assertThat(merge.api()
                        .postJson(
                                "/api/v1/merges",
                                TestApiKeys.ALL_SCOPES,
                                "{\"merged_into\":\"" + chat + "\",\"merged_from\":\"" + voice + "\"}")
                        .body())
                .contains("/problems/merge-cycle");

        assertThat(profile(voice, "2026-11-05T00:00:00Z").body())
                .contains("\"members\":[\"" + voice + "\"]")
                .doesNotContain("maria@example.com");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(profile(voice, "2026-11-15T00:00:00Z").body())
                                .contains("\"email\":\"maria@example.com\"", "\"phone\":\"+34600111222\"")
                                .contains("\"members\":[\"" + chat + "\",\"" + voice + "\"]"));
        assertThat(profile(chat, "2026-11-15T00:00:00Z").body()).contains("\"resolved_customer_id\":\"" + voice + "\"");

        HttpResponse<String> unmerged = merge.api()
                .postJson(
                        "/api/v1/unmerges",
                        TestApiKeys.ALL_SCOPES,
                        "{\"merged_into\":\"" + voice + "\",\"merged_from\":\"" + chat + "\","
                                + "\"effective_at\":\"2026-11-20T09:00:00Z\",\"reason\":\"different people\","
                                + "\"decided_by\":\"privacy_officer_2\"}");
        assertThat(unmerged.statusCode()).as(unmerged.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(profile(voice, "2026-11-25T00:00:00Z").body())
                                .doesNotContain("maria@example.com")
                                .contains("\"members\":[\"" + voice + "\"]"));
        // what was true while merged stays true
        assertThat(profile(voice, "2026-11-15T00:00:00Z").body()).contains("maria@example.com");

        // the survivor's history: the merge, what it brought in (from the chat identity), and the unmerge
        HttpResponse<String> history =
                reconstruction.api().get("/api/v1/customers/" + voice + "/history", TestApiKeys.PROFILE_READ_ONLY);
        assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
        assertThat(history.body())
                .contains("\"event_type\":\"CUSTOMER_PROFILE_MERGE\"", "\"reason\":\"caller confirmed the chat email\"")
                .contains("\"member_customer_id\":\"" + chat + "\"")
                .contains("\"attribute\":\"email\"", "\"new_value\":\"maria@example.com\"")
                .contains("\"event_type\":\"CUSTOMER_PROFILE_UNMERGE\"");

        HttpResponse<String> identity = merge.api()
                .get("/api/v1/customers/" + chat + "/identity?at=2026-11-25T00:00:00Z", TestApiKeys.PROFILE_READ_ONLY);
        assertThat(identity.statusCode()).as(identity.body()).isEqualTo(200);
        assertThat(identity.body())
                .contains("\"resolved_customer_id\":\"" + chat + "\"")
                .contains("\"event_type\":\"CUSTOMER_PROFILE_MERGE\"", "\"decided_by\":\"agent_12345\"")
                .contains("\"evidence\":{\"email\":\"exact\"}")
                .contains("\"event_type\":\"CUSTOMER_PROFILE_UNMERGE\"", "\"decided_by\":\"privacy_officer_2\"");
    }

    @Test
    void anErasedCustomerIsGoneFromEveryServiceWithProof() {
        String customer = Events.newCustomerId("cust_gdpr");
        post(Events.attributeChange(
                UUID.randomUUID().toString(),
                customer,
                "2026-11-01T10:00:00Z",
                "email",
                null,
                "erase.me@example.com",
                "chat"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> profile(customer, "2026-11-02T00:00:00Z").body().contains("erase.me@example.com"));

        String location = requestErasure(customer);
        String erasure = awaitEnded(location);
        assertThat(erasure).contains("\"state\":\"completed\"", "\"verified\":true");

        // gone from reconstruction, at a time before the erasure too
        HttpResponse<String> before = profile(customer, "2026-11-02T00:00:00Z");
        assertThat(before.statusCode()).as(before.body()).isEqualTo(410);
        assertThat(before.body()).contains("/problems/erased").doesNotContain("erase.me@example.com");
        assertThat(reconstruction
                        .api()
                        .get("/api/v1/customers/" + customer + "/profile", TestApiKeys.PROFILE_READ_ONLY)
                        .statusCode())
                .isEqualTo(410);
        // a late replay of the erased value is refused at intake
        HttpResponse<String> late = ingestion
                .api()
                .postJson(
                        "/api/v1/events",
                        TestApiKeys.EVENTS_WRITE_ONLY,
                        Events.attributeChange(
                                UUID.randomUUID().toString(),
                                customer,
                                "2026-11-01T10:00:00Z",
                                "email",
                                null,
                                "erase.me@example.com",
                                "chat"));
        assertThat(late.statusCode()).as(late.body()).isEqualTo(409);
        assertThat(late.body()).contains("/problems/erased");
    }

    /**
     * An outside probe lost every event of an erased customer that intake took in the minute after the erasure: intake
     * still had the destroyed key cached, answered 202, and the value never opened again (and made the customer's
     * every read answer 410). Now the erasure re-encrypts such values under the customer's new key before it destroys
     * the old one for good.
     */
    @Test
    void aReturningCustomersEventTakenWhileIntakeStillHasTheDestroyedKeyIsKept() {
        String customer = Events.newCustomerId("cust_back");
        // loads the customer's key into intake's cache (8 s), then the erasure destroys it at once
        post(Events.attributeChange(
                UUID.randomUUID().toString(), customer, "2026-11-01T10:00:00Z", "nickname", null, "gone", "chat"));
        String location = requestErasure(customer);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() ->
                        merge.api().get(location, TestApiKeys.ALL_SCOPES).body().contains("\"keys_destroyed_at\":\""));
        String back = Timestamps.format(java.time.Instant.now().plusSeconds(1));
        post(Events.attributeChange(
                UUID.randomUUID().toString(), customer, back, "preferred_language", null, "pt-BR", "voice"));

        String erasure = awaitEnded(location);
        assertThat(erasure)
                .contains("\"state\":\"completed\"", "\"verified\":true")
                // the event was encrypted with the destroyed key, and moved to the new one
                .contains("\"values_reencrypted\":1");
        HttpResponse<String> current =
                reconstruction.api().get("/api/v1/customers/" + customer + "/profile", TestApiKeys.PROFILE_READ_ONLY);
        assertThat(current.statusCode()).as(current.body()).isEqualTo(200);
        assertThat(current.body()).contains("pt-BR").doesNotContain("\"gone\"");
        HttpResponse<String> at = profile(customer, back);
        assertThat(at.statusCode()).as(at.body()).isEqualTo(200);
        assertThat(at.body()).contains("pt-BR");
    }

    @Test
    void everyServiceRefusesRequestsWithoutCredentials() {
        assertThat(ingestion.api().postJson("/api/v1/events", null, "{}").statusCode())
                .isEqualTo(401);
        assertThat(reconstruction
                        .api()
                        .get("/api/v1/customers/c/profile/at/2023-10-27T14:30:05Z", null)
                        .statusCode())
                .isEqualTo(401);
        assertThat(merge.api().get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
        assertThat(merge.api().get("/actuator/health", null).statusCode()).isEqualTo(200);
    }

    /** Asks merge-service to erase {@code customer}; where the erasure is. */
    private static String requestErasure(String customer) {
        HttpResponse<String> requested = merge.api()
                .post(
                        "/api/v1/customers/" + customer + "/erasure",
                        TestApiKeys.ALL_SCOPES,
                        "application/json",
                        "{\"reason\":\"GDPR Art. 17\",\"requested_by\":\"dpo@example.org\"}");
        assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);
        return requested.headers().firstValue("Location").orElseThrow();
    }

    /** The erasure at {@code location} once it ended, as merge-service answers it. */
    private static String awaitEnded(String location) {
        String[] erasure = new String[1];
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    erasure[0] =
                            merge.api().get(location, TestApiKeys.ALL_SCOPES).body();
                    return erasure[0].contains("\"state\":\"completed\"")
                            || erasure[0].contains("\"state\":\"failed\"");
                });
        return erasure[0];
    }

    private static HttpResponse<String> profile(String customer, String at) {
        return reconstruction
                .api()
                .get("/api/v1/customers/" + customer + "/profile/at/" + at, TestApiKeys.PROFILE_READ_ONLY);
    }

    private static void post(String event) {
        HttpResponse<String> response =
                ingestion.api().postJsonRetryingUnavailable("/api/v1/events", TestApiKeys.EVENTS_WRITE_ONLY, event);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
}
