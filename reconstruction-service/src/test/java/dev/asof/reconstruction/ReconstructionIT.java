package dev.asof.reconstruction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.EventJson;
import dev.asof.privacy.ValueCipher;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.TestApiKeys;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one application context the integration tests share (real HTTP, the shared Kafka broker and dynalite). Every
 * test class extends it unchanged, so the context starts once per test JVM; each test uses its own customer ids.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class ReconstructionIT {

    /** Snapshots every 20 events on the topic, so the snapshot consumer can be seen at work quickly. */
    static final int SNAPSHOT_EVERY = 20;

    /** Packed log pages of 10 events, written every 10 events on the topic: timelines read pages in every test. */
    static final int PAGE_EVENTS = 10;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        registry.add("asof.snapshots.every-events", () -> Integer.toString(SNAPSHOT_EVERY));
        // history/marks reads in many short valid-time ranges, so the differential tests meet them on small timelines
        registry.add("asof.history.marks-first-page", () -> "3");
        registry.add("asof.history.marks-range-changes", () -> "4");
        registry.add("asof.reconstruction.log-pages.events-per-page", () -> Integer.toString(PAGE_EVENTS));
        // a snapshot due at an event these tests publish but never log is written from what is logged this often
        // while it waits (SnapshotIT)
        registry.add("asof.snapshots.wait-for-log", () -> "5s");
        // tests count reads and cache entries of their own customers: a warm-up reading one of them would disturb
        // that (ReadWarmUpIT runs its own)
        registry.add("asof.reconstruction.warm-up.enabled", () -> "false");
    }

    @LocalServerPort
    int port;

    @Autowired
    EventLog eventLog;

    @Autowired
    ProfileViews views;

    @Autowired
    IdentityLinks identityLinks;

    @Autowired
    MeterRegistry metrics;

    @Autowired
    ValueCipher cipher;

    /**
     * What intake does to an event's values in the differential tests: about half the events are encrypted with
     * their customer's key (drawn from {@code seed}, apart from the question draws), the others stay as plaintext
     * items written before encryption was turned on, so every read path must open the one and pass the other.
     */
    java.util.function.UnaryOperator<dev.asof.events.EventEnvelope> mixedEncryption(long seed) {
        java.util.Random coin = new java.util.Random(seed ^ 0xC1F3E5L);
        return event -> coin.nextBoolean() ? cipher.encrypt(event) : event;
    }

    /** Keeps numbers exact (1.0 stays 1.0), like the service. */
    final JsonMapper json = EventJson.mapper();

    ApiClient api;
    LogFixture fixture;

    @BeforeEach
    void clientAndFixture() {
        api = ApiClient.localhost(port);
        fixture = new LogFixture(eventLog, views, identityLinks);
    }

    HttpResponse<String> get(String path) {
        return api.get(path, TestApiKeys.PROFILE_READ_ONLY);
    }

    JsonNode ok(String path) {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    JsonNode profileAt(String customer, String ts, String knownAt) {
        return ok("/api/v1/customers/" + customer + "/profile/at/" + ts
                + (knownAt == null ? "" : "?known_at=" + knownAt));
    }

    /** A counter's count; {@code tag} {@code null} for a counter without tags. */
    double counter(String name, String tag, String value) {
        var counter = tag == null
                ? metrics.find(name).counter()
                : metrics.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }
}
