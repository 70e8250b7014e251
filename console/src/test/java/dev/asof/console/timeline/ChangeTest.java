package dev.asof.console.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The console reads the services' times without java.time's parser, and answers exactly what it answers. */
class ChangeTest {

    @Test
    void theServicesTimeFormIsReadAsJavaTimeReadsIt() {
        assertThat(Change.instant("2024-01-01T00:55:02.000Z")).isEqualTo(Instant.parse("2024-01-01T00:55:02Z"));
        assertThat(Change.instant("1970-01-01T00:00:00.001Z")).isEqualTo(Instant.ofEpochMilli(1));
        assertThat(Change.instant("9999-12-31T23:59:59.999Z")).isEqualTo(Instant.parse("9999-12-31T23:59:59.999Z"));
        assertThat(Change.instant("2024-02-29T12:00:00.500Z")).isEqualTo(Instant.parse("2024-02-29T12:00:00.500Z"));
    }

    @Test
    void otherFormsAndNoRealTimeGoToJavaTime() {
        // another form java.time reads
        assertThat(Change.instant("2024-01-01T00:55:02Z")).isEqualTo(Instant.parse("2024-01-01T00:55:02Z"));
        // a leap second, which java.time reads as the second before, and the end of a day
        assertThat(Change.instant("2016-12-31T23:59:60.000Z")).isEqualTo(Instant.parse("2016-12-31T23:59:60.000Z"));
        assertThat(Change.instant("2024-01-01T24:00:00.000Z")).isEqualTo(Instant.parse("2024-01-02T00:00:00Z"));
        for (String noTime : new String[] {
            "2023-02-29T00:00:00.000Z",
            "2024-13-01T00:00:00.000Z",
            "2024-01-01T24:00:01.000Z",
            "2024-01-01T00:60:00.000Z",
            "2024-01-0\u0661T00:00:00.000Z",
            "",
            "yesterday"
        }) {
            assertThatThrownBy(() -> Change.instant(noTime)).as(noTime).isInstanceOf(DateTimeParseException.class);
        }
    }

    /**
     * Seeded texts of the services' form with real and impossible dates and times (years 0000 to 9999, month 0 and
     * 13, day 0 to 32, hour 24, minute and second 60 and 61), some with one character swapped for another digit, a
     * non-ASCII digit, a sign or a letter: each is read as java.time reads it, or refused as java.time refuses it.
     */
    @Test
    void generatedTextsAreAnsweredAsJavaTimeAnswersThem() {
        Random random = new Random(20261203L);
        String swaps = "0123456789-+:.TZz \u0661\u0967\uff11a";
        int read = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder text = new StringBuilder(String.format(
                    "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                    random.nextBoolean() ? 1960 + random.nextInt(100) : random.nextInt(10_000),
                    random.nextInt(14),
                    random.nextInt(33),
                    random.nextInt(25),
                    random.nextInt(62),
                    random.nextInt(62),
                    random.nextInt(1_000)));
            if (random.nextInt(4) == 0) {
                text.setCharAt(random.nextInt(text.length()), swaps.charAt(random.nextInt(swaps.length())));
            }
            if (sameAnswer(text.toString())) {
                read++;
            }
        }
        // both outcomes were generated in numbers
        assertThat(read).isBetween(40_000, 160_000);
    }

    /** Whether java.time reads {@code text}, after checking that {@link Change#instant} answers the same. */
    private static boolean sameAnswer(String text) {
        Instant expected;
        try {
            expected = Instant.parse(text);
        } catch (DateTimeParseException refused) {
            assertThatThrownBy(() -> Change.instant(text)).as(text).isInstanceOf(DateTimeParseException.class);
            return false;
        }
        assertThat(Change.instant(text)).as(text).isEqualTo(expected);
        return true;
    }
}
