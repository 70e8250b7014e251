package dev.asof.reconstruction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.events.ProfileErased;
import dev.asof.events.RecordedEvent;
import dev.asof.reconstruction.state.LogSegments;
import dev.asof.support.storage.LogRanges;
import dev.asof.testing.Events;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The stretches of log kept for timelines ({@link LogSegments}) against the store, over real dynalite: random scans
 * (ranges, recorded bounds, pages stopped early after a random number of events) of a log with many events per
 * millisecond, each compared with the same scan read from the store at that moment; then after more events (late
 * ones too) moved the view's watermark, after an erasure event, and around a drop. Seeded: {@code -Dasof.seed}.
 */
class LogSegmentsIT extends ReconstructionIT {

    private static final long SEED = Long.getLong("asof.seed", 20261202L);

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Autowired
    LogSegments segments;

    @Autowired
    LogRanges logRanges;

    int fromMemory;

    @Test
    void scansAnsweredFromMemoryEqualTheStoreAndStopWhenTheViewMovesOn() {
        System.out.println("LogSegmentsIT seed=" + SEED + " (rerun with -Dasof.seed=" + SEED + ")");
        Random random = new Random(SEED);
        String identity = Events.newCustomerId("cust_segments");
        long clock = System.currentTimeMillis();
        for (int i = 0; i < 150; i++) {
            fixture.append(change(identity, random.nextInt(60), i), clock++);
        }
        fixture.flush();
        long watermark = watermark(identity);
        for (int q = 0; q < 300; q++) {
            ask(random, identity, watermark, true);
        }
        assertThat(fromMemory).as("scans answered from memory").isGreaterThan(50);
        assertThat(segments.keptEvents(identity)).isPositive();

        // more events, some stamped earlier than all before (late): the old copy is never served again
        for (int i = 150; i < 170; i++) {
            fixture.append(change(identity, random.nextInt(80), i), clock++);
        }
        fixture.flush();
        long moved = watermark(identity);
        assertThat(moved).isGreaterThan(watermark);
        int before = fromMemory;
        double caughtUp = caughtUp();
        for (int q = 0; q < 100; q++) {
            ask(random, identity, moved, true);
        }
        assertThat(fromMemory).as("answered from memory at the new watermark").isGreaterThan(before);
        assertThat(caughtUp())
                .as("the copy brought up to the new watermark once, not read again")
                .isEqualTo(caughtUp + 1);

        // an erasure: nothing is kept of the identity any more, and what was is dropped at its next scan
        fixture.append(
                new EventEnvelope(
                        UUID.randomUUID().toString(),
                        T0.plusMillis(90),
                        identity,
                        "test",
                        EventMetadata.EMPTY,
                        new ProfileErased("test"),
                        EventEnvelope.SCHEMA_VERSION),
                clock++);
        fixture.flush();
        long erased = watermark(identity);
        for (int q = 0; q < 20; q++) {
            ask(random, identity, erased, false);
        }
        assertThat(segments.keptEvents(identity))
                .as("kept of an erased identity")
                .isZero();
    }

    @Test
    void aPageThatBeganBeforeADropKeepsNothing() {
        String identity = Events.newCustomerId("cust_segments_drop");
        long watermark = logged(identity, 0, 30, System.currentTimeMillis());
        LogSegments.Page page = segments.page();
        LogSegments.Scan scan = page.scan(identity, watermark, true, null, LogRanges.MAX_VALID_TIME, watermark, 100);
        scan.forEachRemaining(event -> {});
        segments.drop(identity);
        scan.finish();
        assertThat(segments.keptEvents(identity))
                .as("kept by a page that began before the drop")
                .isZero();

        LogSegments.Scan after =
                segments.page().scan(identity, watermark, true, null, LogRanges.MAX_VALID_TIME, watermark, 100);
        after.forEachRemaining(event -> {});
        after.finish();
        assertThat(segments.keptEvents(identity))
                .as("kept by a page that began after it")
                .isEqualTo(30);
        segments.drop(identity);
        assertThat(segments.keptEvents(identity)).isZero();
    }

    @Test
    void aCopyFarBehindItsViewIsReadAgain() {
        String identity = Events.newCustomerId("cust_segments_behind");
        long clock = System.currentTimeMillis();
        long watermark = logged(identity, 0, 20, clock);
        readWhole(identity, watermark);
        assertThat(segments.keptEvents(identity)).isEqualTo(20);

        // more than max-catch-up (1000) logged since: dropped, read from the store, and kept again at the new watermark
        long moved = logged(identity, 20, 1_021, clock + 20);
        double caughtUp = caughtUp();
        double misses = metrics.counter("asof.reconstruction.log_segments", "result", "miss")
                .count();
        assertThat(readWhole(identity, moved))
                .containsExactlyElementsOf(
                        take(logRanges.validTimeScan(identity, null, LogRanges.MAX_VALID_TIME, moved, 1000), 5_000));
        assertThat(caughtUp()).as("caught up").isEqualTo(caughtUp);
        assertThat(metrics.counter("asof.reconstruction.log_segments", "result", "miss")
                        .count())
                .isEqualTo(misses + 1);
        assertThat(segments.keptEvents(identity)).isEqualTo(1_021);
    }

    @Test
    void readsAtOnceAfterAChangeAreAllAnsweredFromMemory() throws Exception {
        String identity = Events.newCustomerId("cust_segments_at_once");
        long clock = System.currentTimeMillis();
        readWhole(identity, logged(identity, 0, 50, clock));
        long moved = logged(identity, 50, 60, clock + 50);
        List<String> stored =
                take(logRanges.validTimeScan(identity, null, LogRanges.MAX_VALID_TIME, moved, 1000), 5_000);
        double misses = metrics.counter("asof.reconstruction.log_segments", "result", "miss")
                .count();

        // as the console reads a timeline's ranges: several pages at once, each finding the copy behind the view
        ExecutorService readers = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> reads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                reads.add(readers.submit(() -> readWhole(identity, moved)));
            }
            for (Future<List<String>> read : reads) {
                assertThat(read.get()).containsExactlyElementsOf(stored);
            }
        } finally {
            readers.shutdownNow();
        }
        assertThat(metrics.counter("asof.reconstruction.log_segments", "result", "miss")
                        .count())
                .as("reads that went to the store: one losing the race to bring the copy up to date takes the winner's")
                .isEqualTo(misses);
        assertThat(segments.keptEvents(identity)).isEqualTo(60);
    }

    private List<String> readWhole(String identity, long watermark) {
        LogSegments.Scan scan =
                segments.page().scan(identity, watermark, true, null, LogRanges.MAX_VALID_TIME, watermark, 1000);
        List<String> read = take(scan, 5_000);
        scan.finish();
        return read;
    }

    private double caughtUp() {
        return metrics.counter("asof.reconstruction.log_segments.caught_up").count();
    }

    /** One random scan, stopped after a random number of events, against the same scan of the store. */
    private void ask(Random random, String identity, long watermark, boolean keep) {
        List<RecordedEvent> logged = fixture.logged();
        Instant from = random.nextInt(4) == 0 ? null : T0.plusMillis(random.nextInt(90) - 5);
        Instant to = random.nextInt(3) == 0
                ? LogRanges.MAX_VALID_TIME
                : T0.plusMillis(random.nextInt(90)).plusMillis(random.nextInt(3) == 0 ? 0 : random.nextInt(30));
        if (from != null && from.isBefore(Instant.EPOCH)) {
            from = Instant.EPOCH;
        }
        long bound = random.nextInt(4) == 0
                ? Math.min(watermark, logged.get(random.nextInt(logged.size())).recordedAt())
                : watermark;
        int stopAfter = random.nextInt(3) == 0 ? Integer.MAX_VALUE : random.nextInt(40);
        int pageSize = 1 + random.nextInt(60);
        double hitsBefore = metrics.counter("asof.reconstruction.log_segments", "result", "hit")
                .count();

        LogSegments.Scan scan = segments.page().scan(identity, watermark, keep, from, to, bound, pageSize);
        List<String> scanned = take(scan, stopAfter);
        scan.finish();
        List<String> stored = take(logRanges.validTimeScan(identity, from, to, bound, 1000), stopAfter);

        if (metrics.counter("asof.reconstruction.log_segments", "result", "hit").count() > hitsBefore) {
            fromMemory++;
        }
        assertThat(scanned)
                .as("seed %d: [%s, %s] bound %d (watermark %d), first %d", SEED, from, to, bound, watermark, stopAfter)
                .containsExactlyElementsOf(stored);
    }

    private static List<String> take(Iterator<RecordedEvent> events, int count) {
        List<String> taken = new ArrayList<>();
        while (taken.size() < count && events.hasNext()) {
            RecordedEvent event = events.next();
            taken.add(event.event().eventId() + "@" + event.recordedAt());
        }
        return taken;
    }

    /** Logs changes {@code from} to {@code to} (exclusive) of {@code identity}, change i stamped T0 + i % 90 ms. */
    private long logged(String identity, int from, int to, long clock) {
        for (int i = from; i < to; i++) {
            fixture.append(change(identity, i % 90, i), clock + i);
        }
        fixture.flush();
        return watermark(identity);
    }

    private long watermark(String identity) {
        return views.find(identity).orElseThrow().lastRecordedAt();
    }

    /** A change stamped {@code millis} after T0: many share a millisecond. */
    private static EventEnvelope change(String identity, int millis, int n) {
        return new EventEnvelope(
                UUID.randomUUID().toString(),
                T0.plusMillis(millis),
                identity,
                "test",
                EventMetadata.EMPTY,
                new AttributeChanged("tier", null, AttributeValue.text("v" + n), "test"),
                EventEnvelope.SCHEMA_VERSION);
    }
}
