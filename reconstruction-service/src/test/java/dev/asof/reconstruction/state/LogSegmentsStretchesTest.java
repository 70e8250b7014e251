package dev.asof.reconstruction.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.events.RecordedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping of kept stretches ({@link LogSegments.Copy}), against a naive model: one log of random events,
 * stretches of it kept in random order (overlapping, touching, apart), and every range asked afterwards is answered
 * from memory exactly when the kept stretches cover it whole, with exactly the log's events of that range. Seeded:
 * {@code -Dasof.seed}.
 */
class LogSegmentsStretchesTest {

    private static final long SEED = Long.getLong("asof.seed", 20261202L);

    private static final Comparator<RecordedEvent> LOG_ORDER = Comparator.<RecordedEvent>comparingLong(
                    event -> event.event().timestampUtc().toEpochMilli())
            .thenComparing(event -> event.event().eventId());

    @Test
    void keptStretchesAnswerExactlyTheRangesTheyCover() {
        Random random = new Random(SEED);
        int answered = 0;
        int refused = 0;
        for (int round = 0; round < 200; round++) {
            List<RecordedEvent> log = randomLog(random, random.nextInt(60));
            boolean[] covered = new boolean[64];
            LogSegments.Copy copy = kept(random, log, 7, random.nextInt(6), covered);
            assertThat(copy.events())
                    .as("seed %d round %d: events counted once", SEED, round)
                    .isEqualTo(copy.stretches().values().stream()
                            .mapToInt(stretch -> stretch.events().size())
                            .sum());
            for (int q = 0; q < 20; q++) {
                long from = random.nextInt(40);
                long to = from + random.nextInt(10);
                boolean whole = true;
                for (long ms = from; ms <= to; ms++) {
                    whole &= covered[(int) ms];
                }
                LogSegments.Stretch covering = copy.covering(from, to);
                assertThat(covering != null)
                        .as("seed %d round %d: [%d, %d] covered", SEED, round, from, to)
                        .isEqualTo(whole);
                if (covering != null) {
                    answered++;
                    assertThat(covering.between(from, to))
                            .as("seed %d round %d: [%d, %d]", SEED, round, from, to)
                            .containsExactlyElementsOf(between(log, from, to));
                } else {
                    refused++;
                }
            }
        }
        assertThat(answered).as("ranges answered from memory").isGreaterThan(100);
        assertThat(refused).as("ranges not covered").isGreaterThan(100);
    }

    @Test
    void aCopyCaughtUpAnswersAsOneReadAtTheNewWatermark() {
        Random random = new Random(SEED);
        int answered = 0;
        for (int round = 0; round < 200; round++) {
            int events = random.nextInt(40);
            List<RecordedEvent> log = randomLog(random, events);
            LogSegments.Copy copy = kept(random, log, events, 1 + random.nextInt(4), new boolean[64]);
            // logged since, in recorded order: anywhere in valid time, inside the stretches, around and outside
            List<RecordedEvent> since = new ArrayList<>();
            for (int i = events; i < events + random.nextInt(20); i++) {
                since.add(event("l" + i, random.nextInt(60), i));
            }
            log.addAll(since);
            log.sort(LOG_ORDER);
            LogSegments.Copy caughtUp = copy.caughtUp(events + since.size(), since);

            assertThat(caughtUp.watermark()).isEqualTo(events + since.size());
            assertThat(caughtUp.readNanos()).as("as old as the copy").isEqualTo(copy.readNanos());
            assertThat(caughtUp.stretches().keySet()).isEqualTo(copy.stretches().keySet());
            assertThat(caughtUp.events())
                    .as("seed %d round %d: events counted once", SEED, round)
                    .isEqualTo(caughtUp.stretches().values().stream()
                            .mapToInt(stretch -> stretch.events().size())
                            .sum());
            assertThat(caughtUp.bytes())
                    .isEqualTo(caughtUp.stretches().values().stream()
                            .flatMap(stretch -> stretch.events().stream())
                            .mapToLong(LogSegments::approximateBytes)
                            .sum());
            for (int q = 0; q < 20; q++) {
                long from = random.nextInt(40);
                long to = from + random.nextInt(10);
                LogSegments.Stretch covering = caughtUp.covering(from, to);
                if (covering != null) {
                    answered++;
                    assertThat(covering.between(from, to))
                            .as("seed %d round %d: [%d, %d]", SEED, round, from, to)
                            .containsExactlyElementsOf(between(log, from, to));
                }
            }
        }
        assertThat(answered).as("ranges answered from memory").isGreaterThan(100);
    }

    @Test
    void mergedListsKeepLogOrderAndHoldEachEventOnce() {
        RecordedEvent a = event("a", 1, 1);
        RecordedEvent b = event("b", 1, 2);
        RecordedEvent c = event("c", 2, 3);
        RecordedEvent d = event("d", 5, 4);
        assertThat(LogSegments.mergeInLogOrder(List.of(List.of(a, c), List.of(b, c, d), List.of(a))))
                .containsExactly(a, b, c, d);
    }

    /** {@code events} events recorded 0, 1, ... at few distinct milliseconds (several share one), in log order. */
    private static List<RecordedEvent> randomLog(Random random, int events) {
        List<RecordedEvent> log = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            log.add(event("e" + i, random.nextInt(40), i));
        }
        log.sort(LOG_ORDER);
        return log;
    }

    /** A copy at {@code watermark} of {@code stretches} random stretches of {@code log}, marked in {@code covered}. */
    private static LogSegments.Copy kept(
            Random random, List<RecordedEvent> log, long watermark, int stretches, boolean[] covered) {
        LogSegments.Copy copy = new LogSegments.Copy(watermark, System.nanoTime());
        for (int s = stretches; s > 0; s--) {
            long from = random.nextInt(40);
            long to = from + random.nextInt(12);
            copy = copy.with(new LogSegments.Stretch(from, to, between(log, from, to)));
            for (long ms = from; ms <= to; ms++) {
                covered[(int) ms] = true;
            }
        }
        return copy;
    }

    private static List<RecordedEvent> between(List<RecordedEvent> log, long from, long to) {
        return log.stream()
                .filter(event -> event.event().timestampUtc().toEpochMilli() >= from
                        && event.event().timestampUtc().toEpochMilli() <= to)
                .toList();
    }

    private static RecordedEvent event(String id, long millis, long recordedAt) {
        return new RecordedEvent(
                new EventEnvelope(
                        id,
                        Instant.ofEpochMilli(millis),
                        "cust_1",
                        "test",
                        EventMetadata.EMPTY,
                        new AttributeChanged("tier", null, AttributeValue.text(id), "test"),
                        EventEnvelope.SCHEMA_VERSION),
                recordedAt);
    }
}
