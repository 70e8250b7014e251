package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.EventMetadata;
import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.ApiClient;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import dev.asof.testing.TestApiKeys;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
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
 * Auto-merge switched on, over the real Kafka broker and dynalite: the same person twice is merged through the merge
 * command with {@code decided_by: "auto"} and its evidence; an agent's unmerge stays; strangers sharing a phone are
 * never merged.
 */
// closed after the class: its index follower would go on indexing (and, with auto-merge, merging) the customers of
// the test classes after it (a CI run's MatchingIT found its two identities auto-merged by AutoMergeIT's context)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AutoMergeIT {

    private static final AtomicLong CLOCK = new AtomicLong();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        registry.add("asof.matching.index-enabled", () -> "true");
        registry.add("asof.matching.index-group", () -> "auto-merge-it-" + UUID.randomUUID());
        registry.add("asof.matching.index-start", () -> "latest");
        registry.add("asof.matching.index-wait", () -> "5s");
        registry.add("asof.matching.auto-merge", () -> "true");
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

    @Autowired
    MeterRegistry meters;

    ApiClient api;
    LogWriterStandIn logWriter;
    Random random = new Random();

    @BeforeEach
    void start() {
        MatchFollowerReady.awaitPartitions(listeners);
        api = ApiClient.localhost(port);
        logWriter = LogWriterStandIn.start(new IdentityLogFixture(eventLog, identityLinks, views));
    }

    @AfterEach
    void stop() throws InterruptedException {
        logWriter.close();
    }

    @Test
    void theSamePersonTwiceIsMergedAutomaticallyAndAnUnmergeStays() throws InterruptedException {
        String tag = Integer.toString(random.nextInt(1_000_000));
        String phone = "+3465" + String.format("%07d", random.nextInt(10_000_000));
        String first = Events.newCustomerId("auto_a");
        String second = Events.newCustomerId("auto_b");
        person(first, phone, "lucia.fernandez" + tag + "@gmail.com", "Lucía", "Fernández" + tag);
        person(second, phone, "LuciaFernandez" + tag + "@gmail.com", "Lucia", "Fernandez" + tag);

        await().atMost(Duration.ofSeconds(60)).until(() -> resolved(first).equals(resolved(second)));
        String survivor = resolved(first);
        String merged = survivor.equals(first) ? second : first;
        JsonNode lineage = identity(merged).get("lineage");
        assertThat(lineage).singleElement().satisfies(entry -> {
            assertThat(entry.get("decided_by").stringValue()).isEqualTo("auto");
            assertThat(entry.get("reason").stringValue()).matches("auto-merge: score (0\\.99[5-9]\\d|1\\.0000)");
            assertThat(entry.get("evidence").get("evidence").toString()).contains("\"attribute\":\"email\"");
            assertThat(entry.get("evidence").get("matched_customer_id").stringValue())
                    .isEqualTo(survivor);
        });

        HttpResponse<String> unmerge = api.postJson(
                "/api/v1/unmerges",
                TestApiKeys.ALL_SCOPES,
                "{\"merged_into\":\"" + survivor + "\",\"merged_from\":\"" + merged
                        + "\",\"decided_by\":\"agent_9\",\"reason\":\"twins\"}");
        assertThat(unmerge.statusCode()).as(unmerge.body()).isEqualTo(202);
        // a later change of each that changes its match entry, both still alike: the agent's decision stands (an
        // unmerged identity is never merged again automatically, nor is another merged into it)
        write(merged, "address.postcode", "28001");
        write(survivor, "address.postcode", "28001");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(candidates(survivor)).contains(merged));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> meters.counter("asof.matching.auto_merges", "outcome", "kept_apart")
                                .count()
                        >= 1);
        Thread.sleep(5_000);
        assertThat(resolved(merged)).isEqualTo(merged);
        assertThat(resolved(survivor)).isEqualTo(survivor);
    }

    @Test
    void strangersSharingAPhoneAreNeverMerged() throws InterruptedException {
        String switchboard = "+3491" + String.format("%07d", random.nextInt(10_000_000));
        String one = Events.newCustomerId("auto_c");
        String two = Events.newCustomerId("auto_d");
        person(one, switchboard, null, "Ana", "Ruiz" + random.nextInt(1000));
        person(two, switchboard, null, "Pedro", "Santos" + random.nextInt(1000));

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(candidates(one)).contains(two));
        Thread.sleep(3_000);
        assertThat(resolved(one)).isEqualTo(one);
        assertThat(resolved(two)).isEqualTo(two);
    }

    private void person(String customer, String phone, String email, String first, String last) {
        write(customer, "phone", phone);
        if (email != null) {
            write(customer, "email", email);
        }
        write(customer, "name_first", first);
        write(customer, "name_last", last);
        write(customer, "date_of_birth", "1990-07-21");
    }

    private String resolved(String customer) {
        return identity(customer).get("resolved_customer_id").stringValue();
    }

    private JsonNode identity(String customer) {
        HttpResponse<String> response =
                api.get("/api/v1/customers/" + customer + "/identity", TestApiKeys.PROFILE_READ_ONLY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return EventJson.parse(response.body());
    }

    private List<String> candidates(String customer) {
        HttpResponse<String> response =
                api.get("/api/v1/customers/" + customer + "/match-candidates", TestApiKeys.PROFILE_READ_ONLY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> ids = new java.util.ArrayList<>();
        EventJson.parse(response.body())
                .get("candidates")
                .forEach(c -> ids.add(c.get("customer_id").stringValue()));
        return ids;
    }

    private void write(String customer, String key, String value) {
        EventEnvelope event = new EventEnvelope(
                UUID.randomUUID().toString(),
                Instant.parse("2026-01-01T00:00:00Z").plusMillis(CLOCK.incrementAndGet()),
                customer,
                "test",
                EventMetadata.EMPTY,
                new AttributeChanged(key, null, AttributeValue.text(value), "test"),
                EventEnvelope.SCHEMA_VERSION);
        assertThat(submitter.submit(List.of(event), "test", null, null))
                .singleElement()
                .satisfies(result -> assertThat(result.status()).isEqualTo("accepted"));
    }
}
