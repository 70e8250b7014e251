package dev.asof.reconstruction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.events.Hlc;
import dev.asof.events.RecordedEvent;
import dev.asof.support.storage.EventLog;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.TestApiKeys;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Point-in-time reads over real HTTP from a real dynalite log. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PointInTimeProfileIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    EventLog eventLog;

    final JsonMapper json = JsonMapper.builder().build();
    ApiClient api;

    @BeforeEach
    void client() {
        api = ApiClient.localhost(port);
    }

    @Test
    void theLaterStampedVoiceUpdateWinsAlthoughTheChatUpdateArrivedAfterIt() {
        String customer = Events.newCustomerId("cust");
        // The voice update stamped 14:30:01 is recorded first; the chat update stamped 14:30:00 arrives later.
        log(customer, "2023-10-27T14:30:01.000Z", "preferred_language", "fr-FR", "voice", "2023-10-27T14:30:02Z");
        log(customer, "2023-10-27T14:30:00.000Z", "preferred_language", "es-ES", "chat", "2023-10-27T14:30:03Z");

        JsonNode profile = read(customer, "2023-10-27T14:30:05Z", null);

        assertThat(profile.at("/attributes/preferred_language").asString()).isEqualTo("fr-FR");
        assertThat(profile.at("/provenance/preferred_language/updated_at").asString())
                .isEqualTo("2023-10-27T14:30:01.000Z");
        assertThat(profile.at("/events_applied").asInt()).isEqualTo(2);
        assertThat(profile.at("/as_of").asString()).isEqualTo("2023-10-27T14:30:05.000Z");
    }

    @Test
    void knownAtHidesWhatWasRecordedLater() {
        String customer = Events.newCustomerId("cust");
        log(customer, "2023-10-27T14:00:00Z", "consent.marketing", "granted", "voice", "2023-10-27T14:00:01Z");
        log(customer, "2023-10-27T14:20:00Z", "consent.marketing", "revoked", "chat", "2023-10-27T15:00:00Z");

        assertThat(read(customer, "2023-10-27T14:30:00Z", null)
                        .at("/attributes/consent.marketing")
                        .asString())
                .isEqualTo("revoked");
        assertThat(read(customer, "2023-10-27T14:30:00Z", "2023-10-27T14:45:00Z")
                        .at("/attributes/consent.marketing")
                        .asString())
                .isEqualTo("granted");
        assertThat(read(customer, "2023-10-27T14:10:00Z", null)
                        .at("/attributes/consent.marketing")
                        .asString())
                .isEqualTo("granted");
    }

    @Test
    void epochMillisecondsAreAcceptedToo() {
        String customer = Events.newCustomerId("cust");
        log(customer, "2023-10-27T14:00:00Z", "tier", "gold", "voice", "2023-10-27T14:00:01Z");

        JsonNode profile = read(
                customer, Long.toString(Instant.parse("2023-10-27T14:00:00Z").toEpochMilli()), null);

        assertThat(profile.at("/attributes/tier").asString()).isEqualTo("gold");
    }

    @Test
    void aCustomerWithNoEventsYetIsA404Problem() {
        String customer = Events.newCustomerId("cust");
        log(customer, "2023-10-27T14:00:00Z", "tier", "gold", "voice", "2023-10-27T14:00:01Z");

        HttpResponse<String> response = api.get(
                "/api/v1/customers/" + customer + "/profile/at/2023-10-27T13:59:59Z", TestApiKeys.PROFILE_READ_ONLY);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("/problems/profile-not-found");
    }

    @Test
    void aMalformedTimestampIsA400ThatShowsTheAcceptedForms() {
        HttpResponse<String> response =
                api.get("/api/v1/customers/cust_1/profile/at/2023-10-27T14:30:00", TestApiKeys.PROFILE_READ_ONLY);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("ISO-8601", "epoch milliseconds", "\"pointer\":\"ts\"");
    }

    @Test
    void readingNeedsTheProfileReadScope() {
        String path = "/api/v1/customers/cust_1/profile/at/2023-10-27T14:30:00Z";

        assertThat(api.get(path, null).statusCode()).isEqualTo(401);
        assertThat(api.get(path, TestApiKeys.EVENTS_WRITE_ONLY).statusCode()).isEqualTo(403);
    }

    private JsonNode read(String customer, String ts, String knownAt) {
        String path =
                "/api/v1/customers/" + customer + "/profile/at/" + ts + (knownAt == null ? "" : "?known_at=" + knownAt);
        HttpResponse<String> response = api.get(path, TestApiKeys.PROFILE_READ_ONLY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private void log(String customer, String timestamp, String key, String value, String channel, String recordedAt) {
        EventEnvelope event = new EventEnvelope(
                UUID.randomUUID().toString(),
                Instant.parse(timestamp),
                customer,
                "genesys_cloud_cx",
                new EventMetadata(channel, null, null),
                new AttributeChanged(key, null, AttributeValue.text(value), "agent_update"),
                EventEnvelope.SCHEMA_VERSION);
        eventLog.append(
                new RecordedEvent(event, Hlc.encode(Instant.parse(recordedAt).toEpochMilli(), 0)), false, 0, 0);
    }
}
