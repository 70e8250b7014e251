package dev.asof.console.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The console's side of the timeline contract ({@code contracts/timeline-marks}): reconstruction-service's own answers
 * for one seeded timeline, which its {@code MarksContractIT} asserts it gives. Drawn from the {@code history/marks}
 * answers, the timeline is drawn exactly as from the {@code history} answer's changes: whole, and for a window (where
 * the changes after the window's end still decide which are late).
 */
class MarksContractTest {

    /** From the module's directory, where Maven runs its tests. */
    static final Path CONTRACTS = Path.of("..", "contracts", "timeline-marks");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theServicesMarksAreDrawnAsItsChangesAre() {
        List<Change> changes = changes();
        JsonNode marks = read("marks.json");

        Timeline drawn = Timeline.draw(changes, null, null);
        Timeline fromMarks = Timeline.fromMarks(marks);

        assertThat(marks.path("buckets").asInt())
                .as("what the console asks for")
                .isEqualTo(Timeline.BUCKETS);
        assertThat(marks.path("cut_short").asBoolean()).isFalse();
        assertThat(fromMarks.marks()).isNotEmpty();
        assertThat(fromMarks.lanes()).isEqualTo(drawn.lanes());
        assertThat(fromMarks.sources()).isEqualTo(drawn.sources());
        assertThat(fromMarks.channels()).isEqualTo(drawn.channels());
        assertThat(fromMarks.marks()).isEqualTo(drawn.marks());
        assertThat(fromMarks).isEqualTo(drawn);
    }

    @Test
    void theServicesMarksOfAWindowAreDrawnAsItsChangesAre() {
        JsonNode marks = read("marks-window.json");
        Instant from = Change.instant(marks.path("from").asString());
        Instant to = Change.instant(marks.path("to").asString());
        // what the console reads for a window: the changes from its start to the timeline's end
        List<Change> changes = changes().stream()
                .filter(change -> !change.changedAt().isBefore(from))
                .toList();
        assertThat(changes.get(changes.size() - 1).changedAt())
                .as("changes after the window")
                .isAfter(to);

        Timeline drawn = Timeline.draw(changes, from, to);
        Timeline fromMarks = Timeline.fromMarks(marks);

        assertThat(marks.path("buckets").asInt())
                .as("what the console asks for")
                .isEqualTo(Timeline.BUCKETS);
        assertThat(fromMarks.marks()).isNotEmpty();
        assertThat(fromMarks.marks()).isEqualTo(drawn.marks());
        assertThat(fromMarks).isEqualTo(drawn);
    }

    @Test
    void theContractsTimelineHasEveryKindOfMark() {
        List<Change> changes = changes();
        List<Change> late = Timeline.markLate(changes);

        assertThat(late).anyMatch(Change::late);
        assertThat(changes).anyMatch(change -> change.attribute() == null);
        assertThat(changes).anyMatch(change -> change.sourceSystem() == null);
        assertThat(changes).anyMatch(change -> "(no source)".equals(change.sourceSystem()));
        // a merged member's own changes in the survivor's timeline
        assertThat(changes).anyMatch(change -> "contract_cust_member".equals(change.memberCustomerId()));
        assertThat(read("marks.json").path("marks"))
                .anyMatch(mark -> mark.path("count").asInt() > 1)
                .anyMatch(mark -> mark.path("count").asInt() == 1);
    }

    private static List<Change> changes() {
        JsonNode history = read("history.json");
        assertThat(history.path("next_cursor").isNull())
                .as("the whole timeline in one page")
                .isTrue();
        List<Change> changes = new ArrayList<>();
        for (JsonNode change : history.path("changes")) {
            changes.add(Change.of(change));
        }
        return changes;
    }

    private static JsonNode read(String name) {
        return JSON.readTree(CONTRACTS.resolve(name).toFile());
    }
}
