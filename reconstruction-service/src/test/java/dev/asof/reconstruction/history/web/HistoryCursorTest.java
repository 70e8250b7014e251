package dev.asof.reconstruction.history.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.Hlc;
import dev.asof.events.Version;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HistoryCursorTest {

    final HistoryCursor cursor = new HistoryCursor(
            "cust_1",
            "tier",
            Instant.parse("2023-10-27T10:00:00Z"),
            null,
            Instant.parse("2023-10-27T12:00:00.123Z"),
            null,
            new Version(Instant.parse("2023-10-27T10:05:00Z"), 123456789L, "evt_1:a@b", 2));

    @Test
    void roundTripsThroughItsOpaqueText() {
        String text = cursor.encode();

        assertThat(text).matches("[A-Za-z0-9_-]+");
        assertThat(HistoryCursor.decode(text)).contains(cursor);
    }

    @Test
    void continuesOnlyTheSameQuestion() {
        Instant from = Instant.parse("2023-10-27T10:00:00Z");
        Instant known = Instant.parse("2023-10-27T12:00:00.123Z");

        assertThat(cursor.continues("cust_1", "tier", from, null, null)).isTrue();
        assertThat(cursor.continues("cust_1", "tier", from, null, known)).isTrue();
        assertThat(cursor.continues("cust_2", "tier", from, null, null)).isFalse();
        assertThat(cursor.continues("cust_1", null, from, null, null)).isFalse();
        assertThat(cursor.continues("cust_1", "tier", null, null, null)).isFalse();
        assertThat(cursor.continues("cust_1", "tier", from, null, known.plusMillis(1)))
                .isFalse();
    }

    @Test
    void aFutureKnownAtAskedIsCarriedBesideTheTimeReadAsOf() {
        Instant readAsOf = Instant.parse("2023-10-27T12:00:00.123Z");
        Instant asked = Instant.parse("9999-12-31T23:59:59.999Z");
        HistoryCursor future =
                new HistoryCursor("cust_1", null, null, null, readAsOf, asked, new Version(readAsOf, 1L, "evt_1", 0));

        HistoryCursor decoded = HistoryCursor.decode(future.encode()).orElseThrow();

        assertThat(decoded).isEqualTo(future);
        assertThat(decoded.continues("cust_1", null, null, null, asked)).isTrue();
        assertThat(decoded.continues("cust_1", null, null, null, null)).isTrue();
        assertThat(decoded.continues("cust_1", null, null, null, readAsOf))
                .as("the K the page answered")
                .isTrue();
        assertThat(decoded.continues("cust_1", null, null, null, readAsOf.plusMillis(1)))
                .isFalse();
    }

    @Test
    void refusesAPositionOrKnownAtItCannotHaveWritten() {
        Instant from = cursor.from();
        Instant known = cursor.knownAt();
        Version after = cursor.after();
        assertThat(HistoryCursor.decode(cursor.encode())).isPresent();
        for (HistoryCursor made : new HistoryCursor[] {
            with(new Version(after.timestamp(), -1, after.eventId(), after.index())),
            with(new Version(after.timestamp(), Hlc.upperBound(known) + 1, after.eventId(), after.index())),
            with(new Version(after.timestamp(), after.recordedAt(), "evt #1/ü", after.index())),
            with(new Version(after.timestamp(), after.recordedAt(), "", after.index())),
            with(new Version(after.timestamp(), after.recordedAt(), after.eventId(), -1)),
            with(new Version(after.timestamp(), after.recordedAt(), after.eventId(), BulkProfileUpdate.MAX_CHANGES)),
            with(new Version(from.minusMillis(1), after.recordedAt(), after.eventId(), after.index())),
            new HistoryCursor("cust_1", "tier", from, after.timestamp().minusMillis(1), known, null, after),
            new HistoryCursor("cust_1", "tier", from, null, known, known, after),
            new HistoryCursor("cust_1", "tier", from, null, known, known.minusMillis(1), after),
            new HistoryCursor("cust 1", "tier", from, null, known, null, after)
        }) {
            assertThat(HistoryCursor.decode(made.encode())).as("%s", made).isEmpty();
        }
        // the edges it can write
        assertThat(HistoryCursor.decode(with(new Version(from, Hlc.upperBound(known), after.eventId(), 0))
                        .encode()))
                .isPresent();
        assertThat(HistoryCursor.decode(
                        new HistoryCursor("cust_1", "tier", from, after.timestamp(), known, known.plusMillis(1), after)
                                .encode()))
                .isPresent();
    }

    private HistoryCursor with(Version after) {
        return new HistoryCursor(
                cursor.customerId(),
                cursor.attribute(),
                cursor.from(),
                cursor.to(),
                cursor.knownAt(),
                cursor.knownAtAsked(),
                after);
    }

    @Test
    void refusesTextItDidNotWrite() {
        assertThat(HistoryCursor.decode("not-a-cursor")).isEmpty();
        assertThat(HistoryCursor.decode("e30")).isEmpty(); // {}
        assertThat(HistoryCursor.decode("%%%")).isEmpty();
    }
}
