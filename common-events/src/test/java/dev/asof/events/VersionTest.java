package dev.asof.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VersionTest {

    private static final Instant T = Instant.parse("2023-10-27T14:30:00Z");

    private static Version v(Instant timestamp, long recordedAt, String eventId, int index) {
        return new Version(timestamp, recordedAt, eventId, index);
    }

    @Test
    void validTimeComesFirst() {
        // recorded much earlier, but stamped later: it is the later change
        assertThat(v(T.plusMillis(1), 1, "a", 0)).isGreaterThan(v(T, 999, "z", 9));
    }

    @Test
    void thenRecordedAt() {
        assertThat(v(T, 2, "a", 0)).isGreaterThan(v(T, 1, "z", 9));
    }

    @Test
    void thenEventId() {
        assertThat(v(T, 1, "b", 0)).isGreaterThan(v(T, 1, "a", 9));
    }

    @Test
    void thenPositionInsideABulkUpdate() {
        assertThat(v(T, 1, "a", 2)).isGreaterThan(v(T, 1, "a", 1));
        assertThat(v(T, 1, "a", 10)).isGreaterThan(v(T, 1, "a", 9));
    }

    @Test
    void equalOnlyWhenEveryPartIsEqual() {
        assertThat(v(T, 1, "a", 0)).isEqualByComparingTo(v(T, 1, "a", 0)).isEqualTo(v(T, 1, "a", 0));
    }

    @Test
    void isAfterAndLatest() {
        Version early = v(T, 1, "a", 0);
        Version late = v(T, 2, "a", 0);
        assertThat(late.isAfter(early)).isTrue();
        assertThat(early.isAfter(late)).isFalse();
        assertThat(early.isAfter(early)).isFalse();
        assertThat(early.isAfter(null)).isTrue();
        assertThat(Version.latest(early, late)).isSameAs(late);
        assertThat(Version.latest(late, early)).isSameAs(late);
        assertThat(Version.latest(null, early)).isSameAs(early);
        assertThat(Version.latest(early, null)).isSameAs(early);
        assertThat(Version.latest(null, null)).isNull();
    }

    @Test
    void theOrderIsTotalAndIgnoresArrival() {
        long seed = 1027L;
        Random random = new Random(seed);
        List<Version> versions = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            versions.add(v(
                    T.plusMillis(random.nextInt(3)),
                    random.nextInt(3),
                    String.valueOf((char) ('a' + random.nextInt(3))),
                    random.nextInt(3)));
        }
        List<Version> sorted = new ArrayList<>(versions);
        Collections.sort(sorted);
        for (int round = 0; round < 20; round++) {
            Collections.shuffle(versions, random);
            List<Version> again = new ArrayList<>(versions);
            Collections.sort(again);
            assertThat(again).as("seed %d", seed).isEqualTo(sorted);
        }
        for (int i = 1; i < sorted.size(); i++) {
            Version a = sorted.get(i - 1);
            Version b = sorted.get(i);
            assertThat(Integer.signum(a.compareTo(b))).isEqualTo(-Integer.signum(b.compareTo(a)));
            assertThat(a.compareTo(b) == 0).isEqualTo(a.equals(b));
        }
    }

    @Test
    void aRecordedEventIsVersionedByItsEnvelopeAndLogPosition() {
        EventEnvelope envelope =
                new EventEnvelope("evt-1", T, "c", null, null, new ProfileErased(null), EventEnvelope.SCHEMA_VERSION);
        assertThat(new RecordedEvent(envelope, 42).version()).isEqualTo(v(T, 42, "evt-1", 0));
    }
}
