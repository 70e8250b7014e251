package dev.asof.reconstruction;

import static dev.asof.reconstruction.Stories.change;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.asof.events.EventEnvelope;
import dev.asof.events.EventJson;
import dev.asof.events.Hlc;
import dev.asof.events.Timestamps;
import dev.asof.reconstruction.snapshot.LogPageWriter;
import dev.asof.reconstruction.snapshot.SnapshotProperties;
import dev.asof.reconstruction.snapshot.SnapshotWriter;
import dev.asof.reconstruction.snapshot.kafka.SnapshotTriggers;
import dev.asof.reconstruction.state.LogPagesProperties;
import dev.asof.support.kafka.AsofTopics;
import dev.asof.support.storage.AsofTables;
import dev.asof.support.storage.FoldedEvents;
import dev.asof.support.storage.IdentityStateCodec;
import dev.asof.support.storage.Snapshots;
import dev.asof.testing.Events;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaTemplate;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import tools.jackson.databind.JsonNode;

/** Snapshots written in the background from the topic, and reads that start from them. */
class SnapshotIT extends ReconstructionIT {

    private static final Instant START = Instant.parse("2023-10-27T09:00:00Z");

    @Autowired
    KafkaTemplate<String, String> kafka;

    @Autowired
    Snapshots snapshots;

    @Autowired
    DynamoDbClient dynamo;

    @Autowired
    AsofTables tables;

    @Autowired
    SnapshotWriter snapshotWriter;

    @Autowired
    LogPageWriter pageWriter;

    @Autowired
    LogPagesProperties pageProperties;

    @Autowired
    FoldedEvents folded;

    @Test
    void theConsumerSnapshotsEveryNEventsAndALateEventAfterASnapshotStillCounts() {
        String customer = Events.newCustomerId("cust");
        logAndPublish(customer, 0, SNAPSHOT_EVERY);
        await().atMost(Duration.ofSeconds(30)).until(() -> snapshots.count(customer) == 1);
        logAndPublish(customer, SNAPSHOT_EVERY, 2 * SNAPSHOT_EVERY);
        await().atMost(Duration.ofSeconds(30)).until(() -> snapshots.count(customer) == 2);
        logAndPublish(customer, 2 * SNAPSHOT_EVERY, 2 * SNAPSHOT_EVERY + 5);

        JsonNode now = profileAt(customer, "2023-10-27T12:00:00Z", null);
        assertThat(now.at("/attributes/counter").asString()).isEqualTo(Integer.toString(2 * SNAPSHOT_EVERY + 4));
        assertThat(now.at("/snapshot_at").asString()).isEqualTo(timestamp(2 * SNAPSHOT_EVERY - 1));
        assertThat(now.at("/events_applied").asInt()).isEqualTo(5);

        // stamped before both snapshots, recorded after them: found through by_lateness, nothing rewritten
        Instant lateRecorded = START.plusSeconds(3_600);
        fixture.log(change(customer, timestamp(3), "email", "late@example.com", "email"), lateRecorded);
        JsonNode withLate = profileAt(customer, "2023-10-27T12:00:00Z", null);
        JsonNode before = profileAt(customer, "2023-10-27T12:00:00Z", Timestamps.format(lateRecorded.minusMillis(1)));
        JsonNode early = profileAt(customer, timestamp(10), null);

        assertThat(withLate.at("/attributes/email").asString()).isEqualTo("late@example.com");
        assertThat(withLate.at("/events_applied").asInt()).isEqualTo(6);
        assertThat(before.at("/attributes").has("email")).isFalse();
        assertThat(early.at("/attributes/email").asString()).isEqualTo("late@example.com");
        assertThat(early.at("/attributes/counter").asString()).isEqualTo("10");
        assertThat(snapshots.count(customer)).isEqualTo(2);
        assertThat(counter("asof.snapshots.written", "result", "written")).isGreaterThanOrEqualTo(2);
    }

    /**
     * The snapshot consumer only counts, so it can run ahead of the log writer: at the end of a fast load its last
     * triggers met a view far behind, and the rest of the history got no snapshot (bench/run reconstruction: 102
     * snapshots for 100,000 events instead of 2,000). It waits for the event its snapshot is due at to be logged.
     */
    @Test
    void theConsumerWaitsForTheLogWriterBeforeItSnapshots() {
        String customer = Events.newCustomerId("cust");
        double ahead = counter("asof.snapshots.ahead_of_log", null, null);
        List<EventEnvelope> events = publishOnly(customer, 2 * SNAPSHOT_EVERY);
        await().atMost(Duration.ofSeconds(30)).until(() -> counter("asof.snapshots.ahead_of_log", null, null) > ahead);
        assertThat(snapshots.count(customer)).isZero();

        for (int i = 0; i < events.size(); i++) {
            fixture.log(events.get(i), Instant.parse(timestamp(i)).plusSeconds(1));
        }

        // no read before this (a read folding many events from the log asks for snapshots itself)
        Instant lastEvent = Instant.parse(timestamp(2 * SNAPSHOT_EVERY - 1));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> snapshots
                        .latestUsable(customer, lastEvent, Hlc.upperBound(Instant.now()))
                        .map(Snapshots.Snapshot::validTo)
                        .filter(lastEvent::equals)
                        .isPresent());
        assertThat(snapshots.count(customer)).isGreaterThanOrEqualTo(2);
        // the writer tells this instance's reads of a snapshot just after it is in the store (SnapshotDirectory): a
        // read in between starts from the snapshot before (and is as exact, folding more)
        await().atMost(Duration.ofSeconds(5))
                .until(() -> profileAt(customer, timestamp(2 * SNAPSHOT_EVERY - 1), null)
                        .at("/snapshot_at")
                        .asString()
                        .equals(timestamp(2 * SNAPSHOT_EVERY - 1)));
        JsonNode last = profileAt(customer, timestamp(2 * SNAPSHOT_EVERY - 1), null);
        assertThat(last.at("/snapshot_at").asString()).isEqualTo(timestamp(2 * SNAPSHOT_EVERY - 1));
        assertThat(last.at("/events_applied").asInt()).isZero();
        assertThat(last.at("/attributes/counter").asString()).isEqualTo(Integer.toString(2 * SNAPSHOT_EVERY - 1));
    }

    /**
     * A load the log writer is far behind: while the snapshot due waits for its event, it is written from what is
     * logged every {@code wait-for-log} (5 s here), and once the rest is logged, from all of it (before, a snapshot
     * written from part of the load ended the wait, and the rest of the history got none).
     */
    @Test
    void aLongLoadGetsItsSnapshotsAsItIsLogged() {
        String customer = Events.newCustomerId("cust");
        List<EventEnvelope> events = publishOnly(customer, 3 * SNAPSHOT_EVERY);
        for (int i = 0; i < SNAPSHOT_EVERY; i++) {
            fixture.log(events.get(i), Instant.parse(timestamp(i)).plusSeconds(1));
        }
        Instant firstPart = Instant.parse(timestamp(SNAPSHOT_EVERY - 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> snapshotAt(customer, firstPart));

        for (int i = SNAPSHOT_EVERY; i < events.size(); i++) {
            fixture.log(events.get(i), Instant.parse(timestamp(i)).plusSeconds(1));
        }
        Instant last = Instant.parse(timestamp(3 * SNAPSHOT_EVERY - 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> snapshotAt(customer, last));
        assertThat(snapshotAt(customer, Instant.parse(timestamp(2 * SNAPSHOT_EVERY - 1))))
                .as("the gap between the parts filled")
                .isTrue();
    }

    private boolean snapshotAt(String customer, Instant validTo) {
        return snapshots
                .latestUsable(customer, validTo, Hlc.upperBound(Instant.now()))
                .map(Snapshots.Snapshot::validTo)
                .filter(validTo::equals)
                .isPresent();
    }

    /**
     * What is set aside for the log writer is written from what is logged when the service shuts down: kept only in
     * memory, it was lost with the process, and a restart after a load left its last snapshots unwritten until the
     * customer's next events. A trigger of the test's own, fed the records directly, with rounds far longer than the
     * test, so that only the shutdown writes.
     */
    @Test
    void whatIsSetAsideIsWrittenFromWhatIsLoggedAtShutdown() throws Exception {
        SnapshotTriggers.Trigger trigger = SnapshotTriggers.create(
                snapshotWriter,
                pageWriter,
                new SnapshotProperties(true, SNAPSHOT_EVERY, 1_000, Duration.ofMinutes(10)),
                pageProperties,
                folded,
                views);
        try {
            String customer = Events.newCustomerId("cust");
            List<EventEnvelope> events = new java.util.ArrayList<>();
            for (int i = 0; i < 2 * SNAPSHOT_EVERY; i++) {
                EventEnvelope event = change(customer, timestamp(i), "counter", Integer.toString(i), "voice");
                events.add(event);
                trigger.onEvent(
                        new ConsumerRecord<>(AsofTopics.PROFILE_EVENTS, 0, i, customer, EventJson.encode(event)));
            }
            assertThat(trigger.pending()).as("set aside: none of it is logged").isEqualTo(1);
            // the log writer logs all but the last few before the shutdown
            for (int i = 0; i < 2 * SNAPSHOT_EVERY - 5; i++) {
                fixture.log(events.get(i), Instant.parse(timestamp(i)).plusSeconds(1));
            }
            assertThat(snapshots.count(customer))
                    .as("nothing written before the shutdown")
                    .isZero();
            // a shutdown whose time is over writes nothing, and keeps it set aside
            assertThat(trigger.writeSetAside(System.nanoTime() - 1)).isEqualTo(1);
            assertThat(trigger.pending()).isEqualTo(1);

            trigger.shutDown();

            assertThat(trigger.pending()).isZero();
            assertThat(snapshotAt(customer, Instant.parse(timestamp(SNAPSHOT_EVERY - 1))))
                    .as("the gap snapshot")
                    .isTrue();
            assertThat(snapshotAt(customer, Instant.parse(timestamp(2 * SNAPSHOT_EVERY - 6))))
                    .as("the snapshot at the last event logged")
                    .isTrue();
        } finally {
            trigger.shutDown();
        }
    }

    /**
     * An event the log writer never logs (one it dead-letters) delays only its own customer's snapshot: it is written
     * from what is logged at the end of a round of {@code wait-for-log} (5 s here); other customers' are not held.
     */
    @Test
    void anEventThatIsNeverLoggedDelaysOnlyItsCustomersSnapshot() {
        String neverLogged = Events.newCustomerId("cust");
        double ahead = counter("asof.snapshots.ahead_of_log", null, null);
        List<EventEnvelope> events = publishOnly(neverLogged, SNAPSHOT_EVERY);
        await().atMost(Duration.ofSeconds(30)).until(() -> counter("asof.snapshots.ahead_of_log", null, null) > ahead);
        // all but the event the snapshot is due at
        for (int i = 0; i < SNAPSHOT_EVERY - 1; i++) {
            fixture.log(events.get(i), Instant.parse(timestamp(i)).plusSeconds(1));
        }
        String next = Events.newCustomerId("cust");
        logAndPublish(next, 0, SNAPSHOT_EVERY);

        await().atMost(Duration.ofSeconds(30)).until(() -> snapshots.count(next) == 1);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> snapshotAt(neverLogged, Instant.parse(timestamp(SNAPSHOT_EVERY - 2))));
    }

    @Test
    void aSnapshotThatCannotBeTrustedIsIgnored() {
        String customer = Events.newCustomerId("cust");
        fixture.log(change(customer, "2023-10-27T09:00:00Z", "tier", "gold", "voice"), START.plusSeconds(1));
        fixture.log(change(customer, "2023-10-27T09:10:00Z", "tier", "silver", "voice"), START.plusSeconds(601));
        long recordedTo = Hlc.encode(START.plusSeconds(601).toEpochMilli(), 0);
        long validTo = Instant.parse("2023-10-27T09:10:00Z").toEpochMilli();
        // unreadable, under the current schema version's key
        put(customer, Snapshots.key(validTo, recordedTo), "{not json", IdentityStateCodec.STATE_SCHEMA_VERSION);
        // readable, but of another schema version (so it lies outside the range a reader queries)
        String forged = IdentityStateCodec.encode(dev.asof.events.IdentityState.empty(customer));
        put(customer, String.format("v%04d#%015d#%019d", 0, validTo, recordedTo), forged, 0);

        JsonNode profile = profileAt(customer, "2023-10-27T12:00:00Z", null);

        assertThat(profile.at("/attributes/tier").asString()).isEqualTo("silver");
        assertThat(profile.at("/snapshot_at").isNull()).isTrue();
        assertThat(profile.at("/events_applied").asInt()).isEqualTo(2);
    }

    @Test
    void aHistoryImportedBehindItsHeadGetsSnapshotsFromTheReadsThatNeedThem() {
        String customer = Events.newCustomerId("cust");
        Instant recorded = Instant.parse("2023-10-28T00:00:00Z");
        fixture.log(change(customer, "2023-10-27T12:00:00Z", "tier", "gold", "voice"), recorded);
        assertThat(snapshotWriter.snapshot(customer)).isEqualTo(SnapshotWriter.Outcome.WRITTEN);
        // then a backfill of the morning: every event arrives behind the head, so none moves the head forward
        int imported = 5 * SNAPSHOT_EVERY;
        for (int i = 0; i < imported; i++) {
            fixture.append(
                    change(customer, timestamp(i), "counter", Integer.toString(i), "voice"),
                    recorded.plusMillis(1 + i).toEpochMilli());
        }
        fixture.flush();
        assertThat(snapshotWriter.snapshot(customer)).isEqualTo(SnapshotWriter.Outcome.WRITTEN);
        int before = snapshots.count(customer);

        String question = timestamp(imported - 10);
        JsonNode slow = profileAt(customer, question, null);
        assertThat(slow.at("/snapshot_at").isNull()).isTrue();
        assertThat(slow.at("/events_applied").asInt()).isEqualTo(imported - 9);

        await().atMost(Duration.ofSeconds(30)).until(() -> snapshots.count(customer) >= before + 4);
        JsonNode fast = profileAt(customer, question, null);
        assertThat(fast.at("/attributes/counter").asString()).isEqualTo(Integer.toString(imported - 10));
        assertThat(fast.at("/snapshot_at").isNull()).isFalse();
        assertThat(fast.at("/events_applied").asInt()).isLessThanOrEqualTo(SNAPSHOT_EVERY);
        assertThat(counter("asof.snapshots.written", "result", "repair")).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aReadInOneRoundNeverMissesWhatWasFoldedSinceTheLastRead() {
        String customer = snapshottedAndReadInOneRound();

        Instant lateRecorded = START.plusSeconds(7_200);
        fixture.log(change(customer, timestamp(20), "email", "late@example.com", "email"), lateRecorded);
        JsonNode now = profileAt(customer, timestamp(35), null);
        JsonNode before = profileAt(customer, timestamp(35), Timestamps.format(lateRecorded.minusMillis(1)));

        assertThat(now.at("/attributes/email").asString()).isEqualTo("late@example.com");
        assertThat(now.at("/attributes/counter").asString()).isEqualTo("29");
        assertThat(before.at("/attributes").has("email")).isFalse();
        assertThat(before.at("/attributes/counter").asString()).isEqualTo("29");
    }

    /**
     * A snapshot written after the identity's snapshot directory was loaded is used by the next read that finds the
     * view unchanged (one round from what is kept), instead of an older one: before, the directory learnt of it only
     * when a read had folded more than 256 events, and this read folded all 40 events after the first snapshot.
     */
    @Test
    void aSnapshotWrittenAfterTheDirectoryWasLoadedIsWhereTheNextReadStarts() {
        String customer = snapshottedAndReadInOneRound();
        // two snapshot intervals more (not enough for a read to ask for the directory again, nor for a repair),
        // read once so the new head is the one kept, then snapshotted
        int last = 30 + 2 * SNAPSHOT_EVERY - 1;
        for (int i = 30; i <= last; i++) {
            fixture.log(
                    change(customer, timestamp(i), "counter", Integer.toString(i), "voice"),
                    Instant.parse(timestamp(i)).plusSeconds(1));
        }
        assertThat(profileAt(customer, timestamp(last - 1), null)
                        .at("/events_applied")
                        .asInt())
                .isEqualTo(2 * SNAPSHOT_EVERY - 1);
        assertThat(snapshotWriter.snapshot(customer)).isEqualTo(SnapshotWriter.Outcome.WRITTEN);

        JsonNode latest = profileAt(customer, timestamp(last), null);

        assertThat(latest.at("/attributes/counter").asString()).isEqualTo(Integer.toString(last));
        assertThat(latest.at("/snapshot_at").asString()).isEqualTo(timestamp(last));
        assertThat(latest.at("/events_applied").asInt()).isZero();
    }

    /**
     * A new customer with 30 changes (valid 10 s apart) and their snapshots, read until its head and snapshot
     * directory are kept and a read takes one round.
     */
    private String snapshottedAndReadInOneRound() {
        String customer = Events.newCustomerId("cust");
        for (int i = 0; i < 30; i++) {
            fixture.log(
                    change(customer, timestamp(i), "counter", Integer.toString(i), "voice"),
                    Instant.parse(timestamp(i)).plusSeconds(1));
        }
        assertThat(snapshotWriter.snapshot(customer)).isEqualTo(SnapshotWriter.Outcome.WRITTEN);
        double oneRound = counter("asof.reconstruction.one_round_reads", null, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            profileAt(customer, timestamp(25), null);
            return counter("asof.reconstruction.one_round_reads", null, null) > oneRound;
        });
        return customer;
    }

    /** Publishes {@code count} changes of {@code customer} without logging them (the log writer is behind). */
    private List<EventEnvelope> publishOnly(String customer, int count) {
        List<EventEnvelope> events = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            EventEnvelope event = change(customer, timestamp(i), "counter", Integer.toString(i), "voice");
            events.add(event);
            kafka.send(AsofTopics.PROFILE_EVENTS, customer, EventJson.encode(event));
        }
        kafka.flush();
        return events;
    }

    private void logAndPublish(String customer, int from, int to) {
        for (int i = from; i < to; i++) {
            EventEnvelope event = change(customer, timestamp(i), "counter", Integer.toString(i), "voice");
            fixture.log(event, Instant.parse(timestamp(i)).plusSeconds(1));
            kafka.send(AsofTopics.PROFILE_EVENTS, customer, EventJson.encode(event));
        }
        kafka.flush();
    }

    private static String timestamp(int i) {
        return Timestamps.format(START.plusSeconds(10L * i));
    }

    private void put(String customer, String key, String state, int schemaVersion) {
        dynamo.putItem(b -> b.tableName(tables.snapshots())
                .item(Map.of(
                        AsofTables.CUSTOMER_ID,
                        AttributeValue.fromS(customer),
                        AsofTables.SNAPSHOT_KEY,
                        AttributeValue.fromS(key),
                        "state",
                        AttributeValue.fromS(state),
                        "state_schema_version",
                        AttributeValue.fromN(Integer.toString(schemaVersion)),
                        "valid_to_ms",
                        AttributeValue.fromN(key.substring(6, 21)),
                        "recorded_to",
                        AttributeValue.fromN(key.substring(22)),
                        "events_covered",
                        AttributeValue.fromN("2"))));
    }
}
