package dev.asof.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {

    @ParameterizedTest
    @CsvSource({
        "2023-10-27T14:30:00.123Z,      2023-10-27T14:30:00.123Z",
        "2023-10-27T14:30:00Z,          2023-10-27T14:30:00Z",
        "2023-10-27T16:30:00.123+02:00, 2023-10-27T14:30:00.123Z",
        "2023-10-27T09:30:00.123-05:00, 2023-10-27T14:30:00.123Z",
        "2023-10-28T00:30:00+10:00,     2023-10-27T14:30:00Z",
        "2023-10-27T14:30:00.1239Z,     2023-10-27T14:30:00.123Z",
        "2023-10-27T14:30:00.999999999Z, 2023-10-27T14:30:00.999Z",
        "2023-10-27T14:30Z,             2023-10-27T14:30:00Z"
    })
    void anOffsetIsRequiredAndTheResultIsUtcMilliseconds(String text, String expected) {
        assertThat(Timestamps.parse(text)).contains(Instant.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2023-10-27T14:30:00.123",
                "2023-10-27T14:30:00",
                "2023-10-27",
                "14:30:00Z",
                "2023-10-27 14:30:00Z",
                "2023-02-30T10:00:00Z",
                "2023-10-27T24:00:00Z",
                "2023-10-27T14:30:00.123Z[Europe/Paris]",
                "1698417000123",
                ""
            })
    void anythingElseIsRefused(String text) {
        assertThat(Timestamps.parse(text)).isEmpty();
    }

    /**
     * The wire-form shortcut answers exactly what java.time's parser answers: seeded texts of the wire form's shape
     * with real and impossible dates and times (month 13, February 30, hour 24, second 60), years 0000 to 9999,
     * non-ASCII and non-digit characters, and the wire form with one character changed.
     */
    @Test
    void theWireFormShortcutAnswersWhatJavaTimeAnswers() {
        java.util.Random random = new java.util.Random(20261202L);
        String odd = "0123456789/:-.TZtz+ \u0660\u0966\uff10x";
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            String text = String.format(
                    "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                    random.nextInt(4) == 0 ? random.nextInt(10_000) : 1970 + random.nextInt(80),
                    random.nextInt(14),
                    random.nextInt(33),
                    random.nextInt(26),
                    random.nextInt(62),
                    random.nextInt(62),
                    random.nextInt(1_000));
            if (random.nextInt(3) == 0) {
                char[] chars = text.toCharArray();
                chars[random.nextInt(chars.length)] = odd.charAt(random.nextInt(odd.length()));
                text = new String(chars);
            }
            java.util.Optional<Instant> expected = Timestamps.parseAnyForm(text);
            assertThat(Timestamps.parse(text)).as(text).isEqualTo(expected);
            accepted += expected.isPresent() ? 1 : 0;
        }
        // both kinds were generated in numbers
        assertThat(accepted).isBetween(40_000, 160_000);
    }

    @Test
    void nullIsRefused() {
        assertThat(Timestamps.parse(null)).isEmpty();
    }

    /** java.time takes a decimal point without digits; RFC 3339 (and an outside probe's expectation) does not. */
    @Test
    void aDecimalPointWithoutDigitsIsRefused() {
        for (String text :
                List.of("2025-01-01T00:00:00.Z", "2025-01-01T00:00:00.+01:00", "2025-01-01T00:00:00.-05:00")) {
            assertThat(Timestamps.parse(text)).as(text).isEmpty();
        }
        assertThat(Timestamps.parse("2025-01-01T00:00:00.5Z")).contains(Instant.parse("2025-01-01T00:00:00.500Z"));
    }

    @Test
    void theWireFormIsUtcWithThreeFractionDigits() {
        assertThat(Timestamps.format(Instant.parse("2023-10-27T14:30:00Z"))).isEqualTo("2023-10-27T14:30:00.000Z");
        assertThat(Timestamps.format(Instant.parse("2023-10-27T14:30:00.1Z"))).isEqualTo("2023-10-27T14:30:00.100Z");
        assertThat(Timestamps.format(Instant.parse("2023-10-27T14:30:00.123Z"))).isEqualTo("2023-10-27T14:30:00.123Z");
    }

    @Test
    void formatAndParseRoundTrip() {
        Instant instant = Instant.parse("1999-12-31T23:59:59.999Z");
        assertThat(Timestamps.parse(Timestamps.format(instant))).contains(instant);
    }

    @Test
    void truncationCutsToWholeMillisecondsAlsoBefore1970() {
        assertThat(Timestamps.truncate(Instant.parse("2023-10-27T14:30:00.123999Z")))
                .isEqualTo(Instant.parse("2023-10-27T14:30:00.123Z"));
        assertThat(Timestamps.truncate(Instant.parse("1969-12-31T23:59:59.9995Z")))
                .isEqualTo(Instant.parse("1969-12-31T23:59:59.999Z"));
    }

    @Test
    void theEnvelopeKeepsMilliseconds() {
        EventEnvelope event = new EventEnvelope(
                "e",
                Instant.parse("2023-10-27T14:30:00.123456Z"),
                "c",
                null,
                null,
                new ProfileErased(null),
                EventEnvelope.SCHEMA_VERSION);
        assertThat(event.timestampUtc()).isEqualTo(Instant.parse("2023-10-27T14:30:00.123Z"));
    }
}
