package dev.asof.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.console.api.AsofApi;
import dev.asof.console.timeline.Timeline;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The timeline's links are written as the console writes every other address ({@link AsofApi#path}). */
class TimelineViewTest {

    private static final String ID_CHARACTERS = "ABCXYZabcxyz0123456789._:@+=-";

    @Test
    void zoomLinksAreTheAddressesAsofApiPathWrites() {
        Random random = new Random(20261203L);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder id = new StringBuilder("c");
            for (int length = random.nextInt(40); length > 0; length--) {
                id.append(ID_CHARACTERS.charAt(random.nextInt(ID_CHARACTERS.length())));
            }
            Instant t = instant(random);
            Instant k = instant(random);
            Instant from = instant(random);
            Instant to = from.plusMillis(1 + random.nextInt(1_000_000_000));
            TimelineView view = new TimelineView(null, null, false, 0, id.toString(), t, k);
            Timeline.Mark aggregate =
                    new Timeline.Mark(1, 1, "", "#000", "aggregate", false, false, 2, "", null, null, from, to);

            assertThat(view.zoomTo(aggregate)).isEqualTo(expected(id.toString(), t, k, from, to));
            assertThat(view.whole()).isEqualTo(expected(id.toString(), t, k, null, null));
        }
    }

    @Test
    void aZoomRangeIsKeptWithinTheYearsTheConsoleTakes() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        TimelineView view = new TimelineView(null, null, false, 0, "cust_1", t, t);
        Timeline.Mark wide = new Timeline.Mark(
                1,
                1,
                "",
                "#000",
                "aggregate",
                false,
                false,
                2,
                "",
                null,
                null,
                Inputs.EARLIEST.minusSeconds(5),
                Inputs.LATEST.plusSeconds(5));

        assertThat(view.zoomTo(wide)).isEqualTo(expected("cust_1", t, t, Inputs.EARLIEST, Inputs.LATEST));
    }

    private static Instant instant(Random random) {
        return Instant.ofEpochMilli(random.nextLong(4_102_444_800_000L)).plusNanos(random.nextInt(1_000_000));
    }

    private static String expected(String id, Instant t, Instant k, Instant from, Instant to) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("t", Inputs.iso(t));
        query.put("k", Inputs.iso(k));
        query.put("from", Inputs.iso(from));
        query.put("to", Inputs.iso(to));
        return AsofApi.path("/customers/" + id, query);
    }
}
