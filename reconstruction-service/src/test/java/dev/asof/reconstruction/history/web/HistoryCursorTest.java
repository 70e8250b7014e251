package dev.asof.reconstruction.history.web;

import static org.assertj.core.api.Assertions.assertThat;

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
            new Version(Instant.parse("2023-10-27T10:05:00Z"), 123456789L, "evt #1/ü", 2));

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
    void refusesTextItDidNotWrite() {
        assertThat(HistoryCursor.decode("not-a-cursor")).isEmpty();
        assertThat(HistoryCursor.decode("e30")).isEmpty(); // {}
        assertThat(HistoryCursor.decode("%%%")).isEmpty();
    }
}
