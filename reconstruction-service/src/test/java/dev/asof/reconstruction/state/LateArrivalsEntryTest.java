package dev.asof.reconstruction.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.events.RecordedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LateArrivalsEntryTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void selectsTheEventsRecordedInTheRangeAndStampedAtOrBeforeTheValidTime() {
        LateArrivals.Entry entry = new LateArrivals.Entry(
                50, List.of(late("a", 10, 5), late("b", 20, 40), late("c", 30, 15), late("d", 40, 15)));

        assertThat(ids(entry.select(10, 40, T0.plusSeconds(15)))).containsExactly("c", "d");
        assertThat(ids(entry.select(0, 30, T0.plusSeconds(15)))).containsExactly("a", "c");
        assertThat(ids(entry.select(40, 50, T0.plusSeconds(100)))).isEmpty();
        assertThat(ids(entry.select(9, 10, T0.plusSeconds(5)))).containsExactly("a");
    }

    @Test
    void selectsExactlyWhatAFilterOverAllEventsSelects() {
        Random random = new Random(20261126);
        for (int round = 0; round < 200; round++) {
            List<RecordedEvent> events = new ArrayList<>();
            long recordedAt = 0;
            for (int i = random.nextInt(300); i > 0; i--) {
                recordedAt += random.nextInt(3); // equal recorded_at values too
                events.add(late("e" + i, recordedAt, random.nextInt(1_000)));
            }
            LateArrivals.Entry entry = new LateArrivals.Entry(recordedAt, List.copyOf(events));
            for (int query = 0; query < 20; query++) {
                long after = random.nextInt((int) recordedAt + 2) - 1;
                long bound = after + random.nextInt(200);
                Instant validTo = T0.plusSeconds(random.nextInt(1_000));
                List<RecordedEvent> expected = events.stream()
                        .filter(event -> event.recordedAt() > after && event.recordedAt() <= bound)
                        .filter(event -> !event.event().timestampUtc().isAfter(validTo))
                        .toList();

                assertThat(entry.select(after, bound, validTo)).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void catchingUpKeepsOnlyWhatIsNewWithinTheBoundInRecordedOrder() {
        LateArrivals.Entry entry = new LateArrivals.Entry(20, List.of(late("a", 10, 5), late("b", 20, 6)));

        LateArrivals.Entry caughtUp =
                entry.extendedBy(List.of(late("e", 45, 1), late("b", 20, 6), late("d", 35, 2), late("f", 60, 3)), 50);

        assertThat(caughtUp.completeTo()).isEqualTo(50);
        assertThat(ids(caughtUp.byRecorded())).containsExactly("a", "b", "d", "e");
        // max-age counts from the first read of the log, however often the entry is caught up since
        assertThat(caughtUp.loadedNanos()).isEqualTo(entry.loadedNanos());
        assertThat(caughtUp.extendedBy(List.of(), 70).loadedNanos()).isEqualTo(entry.loadedNanos());
    }

    private static RecordedEvent late(String id, long recordedAt, long secondsAfterT0) {
        return new RecordedEvent(
                new EventEnvelope(
                        id,
                        T0.plusSeconds(secondsAfterT0),
                        "cust_1",
                        "test",
                        EventMetadata.EMPTY,
                        new AttributeChanged("tier", null, AttributeValue.text(id), "test"),
                        EventEnvelope.SCHEMA_VERSION),
                recordedAt);
    }

    private static List<String> ids(List<RecordedEvent> events) {
        return events.stream().map(event -> event.event().eventId()).toList();
    }
}
