package dev.asof.console.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link Timeline#fromMarks} against {@link Timeline#draw} over seeded timelines: the summary a {@code history/marks}
 * answer gives of the same changes (built here by its definition, as reconstruction-service's {@code TimelineMarks}
 * is tested to give it) is drawn exactly as the changes themselves are: the same lanes, marks (place, shape, colour,
 * count, label, zoom), legend, ticks and height.
 */
class TimelineFromMarksTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String[] ATTRIBUTES = {"email", "phone", "tier", "address.city"};
    // a source and a channel named as the legend names a missing one, beside missing ones
    private static final String[] SOURCES = {
        "genesys_cloud_cx", "nice_cxone", "crm", null, "x1", "x2", "x3", "(no source)"
    };
    private static final String[] CHANNELS = {"voice", "Chat", "EMAIL", null, "web", "fax", "(No Channel)"};
    private static final String[] TYPES = {
        "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE",
        "BULK_PROFILE_UPDATE",
        "CUSTOMER_PROFILE_MERGE",
        "CUSTOMER_PROFILE_UNMERGE",
        "CUSTOMER_PROFILE_ERASED"
    };

    @Test
    void theMarksOfSeededTimelinesAreDrawnAsTheirChangesAre() {
        Random random = new Random(Long.getLong("asof.seed", 20261204L));
        for (int run = 0; run < 200; run++) {
            List<Change> changes = timeline(random, 1 + random.nextInt(run < 50 ? 30 : 4_000));
            Instant from = null;
            Instant to = null;
            if (random.nextBoolean()) {
                from = changes.get(random.nextInt(changes.size())).changedAt();
                Instant start = from;
                changes = changes.stream()
                        .filter(change -> !change.changedAt().isBefore(start))
                        .toList();
            }
            if (random.nextBoolean()) {
                to = changes.get(random.nextInt(changes.size())).changedAt().plusMillis(random.nextInt(3));
                if (from != null && !from.isBefore(to)) {
                    to = from.plusSeconds(1);
                }
            }
            Timeline drawn = Timeline.draw(changes, from, to);

            Timeline fromMarks = Timeline.fromMarks(JSON.readTree(
                    JSON.writeValueAsBytes(MarksAnswer.of(JSON, changes, drawn.from(), drawn.to(), to != null))));

            String seed = "run " + run + " (" + changes.size() + " changes, from " + from + ", to " + to + ")";
            assertThat(fromMarks.lanes()).as(seed).isEqualTo(drawn.lanes());
            assertThat(fromMarks.sources()).as(seed).isEqualTo(drawn.sources());
            assertThat(fromMarks.channels()).as(seed).isEqualTo(drawn.channels());
            assertThat(fromMarks.marks()).as(seed).isEqualTo(drawn.marks());
            assertThat(fromMarks).as(seed).isEqualTo(drawn);
        }
    }

    @Test
    void anAnswerThatIsNoSummaryIsRefused() {
        assertThatThrownBy(() -> Timeline.fromMarks(JSON.readTree("{\"from\":\"2024-01-01T00:00:00.000Z\"}")))
                .isInstanceOf(RuntimeException.class);
        ObjectNode answer =
                JSON.createObjectNode().put("from", "2024-01-01T00:00:00.000Z").put("to", "2024-01-02T00:00:00.000Z");
        answer.putArray("marks").addObject().put("attribute", "email").put("count", 1);
        assertThatThrownBy(() -> Timeline.fromMarks(answer)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Changes in the total order, clustered in time, some recorded late, some in one millisecond. */
    private static List<Change> timeline(Random random, int count) {
        List<Change> changes = new ArrayList<>();
        Instant valid = Instant.parse("2024-01-01T00:00:00Z");
        for (int i = 0; i < count; i++) {
            valid = valid.plusMillis(
                    random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(random.nextBoolean() ? 5 : 3_600_000));
            Instant recorded = random.nextInt(30) == 0
                    ? valid.plusSeconds(1 + random.nextInt(86_400 * 3))
                    : Instant.ofEpochSecond(valid.getEpochSecond() / 10 * 10 + 10);
            String type = random.nextInt(20) == 0 ? TYPES[1 + random.nextInt(4)] : TYPES[0];
            boolean identity = type.contains("MERGE") || type.contains("ERASED");
            String source = SOURCES[random.nextInt(SOURCES.length)];
            String channel = CHANNELS[random.nextInt(CHANNELS.length)];
            String attribute = identity ? null : ATTRIBUTES[random.nextInt(ATTRIBUTES.length)];
            changes.add(new Change(
                    "e" + i,
                    type,
                    random.nextInt(5) == 0 ? "cust_2" : "cust_1",
                    attribute,
                    random.nextBoolean() ? null : "old" + i,
                    identity ? null : "v" + i,
                    valid,
                    recorded,
                    source,
                    channel,
                    random.nextBoolean() ? "agent_" + i % 7 : null,
                    "i" + i,
                    "agent_update",
                    type.contains("MERGE") ? "cust_2" : null,
                    type.contains("MERGE") ? "cust_1" : null,
                    random.nextInt(15) == 0,
                    false));
        }
        return changes;
    }
}
