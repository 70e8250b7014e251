package dev.asof.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.matching.MatchSettings;
import dev.asof.merge.matching.MatchIndex;
import dev.asof.merge.matching.MatchIndexer;
import dev.asof.merge.matching.MatchingProperties;
import dev.asof.privacy.KeyServiceUnavailableException;
import dev.asof.privacy.PrivacyException;
import dev.asof.privacy.ValueCipher;
import dev.asof.submission.ProfileEventSubmitter;
import dev.asof.support.storage.EventLog;
import dev.asof.support.storage.FoldedEvents;
import dev.asof.support.storage.IdentityLinks;
import dev.asof.support.storage.ProfileViews;
import dev.asof.testing.AsofTestProperties;
import dev.asof.testing.Events;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The match-index follower over the real Kafka broker and dynalite, when indexing fails: an event whose indexing
 * fails because the key service is away (15 tries here, more than Spring Kafka's default of 10 before it skips a
 * record) is tried until it is indexed, and an event that can never be indexed is skipped after 10 tries, counted,
 * and does not hold up the events behind it. The failures are made by an indexer that throws what the KMS key
 * throws when KMS is away ({@link KeyServiceUnavailableException}) and what an unopenable value throws ({@link
 * PrivacyException}); Kafka, the view and the index are real.
 */
// closed after the class: its index follower would go on indexing (and, with auto-merge, merging) the customers of
// the test classes after it (a CI run's MatchingIT found its two identities auto-merged by AutoMergeIT's context)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MatchIndexFollowerIT {

    static final int AWAY_TRIES = 15;
    static final AtomicInteger awayTries = new AtomicInteger();
    static final AtomicInteger brokenTries = new AtomicInteger();
    static final AtomicInteger manyRefreshes = new AtomicInteger();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        AsofTestProperties.register(registry);
        registry.add("asof.matching.index-enabled", () -> "true");
        registry.add("asof.matching.index-group", () -> "match-follower-it-" + UUID.randomUUID());
        registry.add("asof.matching.index-start", () -> "latest");
        registry.add("asof.matching.index-wait", () -> "5s");
        registry.add("asof.matching.index-retry-max-interval", () -> "200ms");
    }

    @TestConfiguration
    static class FailingIndexer {

        /** The real indexer, failing for customers whose id starts with "away" or "broken". */
        @Bean
        @Primary
        MatchIndexer failingMatchIndexer(
                FoldedEvents folded,
                ProfileViews views,
                MatchIndex index,
                MatchingProperties properties,
                MatchSettings settings,
                MeterRegistry meters,
                ValueCipher cipher) {
            return new MatchIndexer(folded, views, index, properties, settings, meters, cipher, indexed -> {}) {
                @Override
                public void refresh(String customerId, EventEnvelope latestSeen) {
                    if (customerId.startsWith("away") && awayTries.incrementAndGet() <= AWAY_TRIES) {
                        throw new KeyServiceUnavailableException("test: the key service does not answer", null);
                    }
                    if (customerId.startsWith("many")) {
                        manyRefreshes.incrementAndGet();
                    }
                    if (customerId.startsWith("broken")) {
                        brokenTries.incrementAndGet();
                        throw new PrivacyException("test: a value of customer " + customerId + " opens with no key");
                    }
                    super.refresh(customerId, latestSeen);
                }
            };
        }
    }

    @Autowired
    EventLog eventLog;

    @Autowired
    IdentityLinks identityLinks;

    @Autowired
    ProfileViews views;

    @Autowired
    ProfileEventSubmitter submitter;

    @Autowired
    MatchIndex index;

    @Autowired
    MeterRegistry meters;

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Test
    void anEventIsTriedUntilIndexedWhileTheKeyServiceIsAwayAndAnUnindexableOneIsSkipped() throws Exception {
        MatchFollowerReady.awaitPartitions(listeners);
        double failedBefore = meters.counter("asof.matching.index.updates", "outcome", "failed")
                .count();
        double retriesBefore = meters.counter("asof.matching.index.retries").count();
        String away = Events.newCustomerId("away");
        String broken = Events.newCustomerId("broken");
        String fine = Events.newCustomerId("fine");

        try (LogWriterStandIn logWriter =
                LogWriterStandIn.start(new IdentityLogFixture(eventLog, identityLinks, views))) {
            write(away, "+34600" + (100_000 + (int) (Math.random() * 800_000)));
            write(broken, "+34611" + (100_000 + (int) (Math.random() * 800_000)));
            write(fine, "+34622" + (100_000 + (int) (Math.random() * 800_000)));

            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                assertThat(index.find(away))
                        .as("indexed once the key service answers")
                        .isPresent();
                assertThat(index.find(fine))
                        .as("not held up by the event that cannot be indexed")
                        .isPresent();
                assertThat(meters.counter("asof.matching.index.updates", "outcome", "failed")
                                        .count()
                                - failedBefore)
                        .as("the unindexable event, given up")
                        .isEqualTo(1.0);
            });
        }
        assertThat(awayTries.get())
                .as("more tries than Spring Kafka's default of 10")
                .isGreaterThan(AWAY_TRIES);
        assertThat(brokenTries.get())
                .as("an event that cannot be indexed: 10 tries")
                .isEqualTo(10);
        assertThat(index.find(broken)).isEmpty();
        assertThat(meters.counter("asof.matching.index.retries").count() - retriesBefore)
                .isGreaterThanOrEqualTo(AWAY_TRIES + 9);
    }

    /**
     * A customer's events that arrive in one poll re-index it once, for the latest: the index ends with the last
     * phone written, after fewer re-indexes than events (each reads four items), and the events skipped are counted.
     */
    @Test
    void aCustomersEventsInOnePollReIndexItOnceForTheLatest() throws Exception {
        MatchFollowerReady.awaitPartitions(listeners);
        double coalescedBefore = meters.counter("asof.matching.index.coalesced").count();
        String many = Events.newCustomerId("many");
        int events = 30;
        String lastPhone = null;
        List<EventEnvelope> written = new java.util.ArrayList<>();
        for (int i = 0; i < events; i++) {
            lastPhone = "+34633" + (100_000 + i * 1_000 + (int) (Math.random() * 1_000));
            written.add(phoneChange(
                    many, lastPhone, Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i)));
        }
        String expected = lastPhone;
        try (LogWriterStandIn logWriter =
                LogWriterStandIn.start(new IdentityLogFixture(eventLog, identityLinks, views))) {
            // one submission: the events become readable on the topic at once (one transaction)
            assertThat(submitter.submit(written, "test", null, null))
                    .hasSize(events)
                    .allSatisfy(result -> assertThat(result.status()).isEqualTo("accepted"));

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(index.find(many))
                        .hasValueSatisfying(
                                indexed -> assertThat(indexed.record().phones()).containsExactly(expected));
                assertThat(manyRefreshes.get()
                                + meters.counter("asof.matching.index.coalesced")
                                        .count()
                                - coalescedBefore)
                        .as("every event either re-indexed its customer or was covered by a later one")
                        .isGreaterThanOrEqualTo(events);
            });
        }
        assertThat(manyRefreshes.get()).isBetween(1, events - 1);
    }

    private void write(String customer, String phone) {
        EventEnvelope event = phoneChange(customer, phone, Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(submitter.submit(List.of(event), "test", null, null))
                .singleElement()
                .satisfies(result -> assertThat(result.status()).isEqualTo("accepted"));
    }

    private static EventEnvelope phoneChange(String customer, String phone, Instant at) {
        return new EventEnvelope(
                UUID.randomUUID().toString(),
                at,
                customer,
                "test",
                EventMetadata.EMPTY,
                new AttributeChanged("phone", null, AttributeValue.text(phone), "test"),
                EventEnvelope.SCHEMA_VERSION);
    }
}
