package dev.asof.reconstruction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.events.ProfileEvent;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileUnmerged;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The contract between this service's timeline answers and the console that draws them, held in files both modules'
 * tests read ({@code contracts/timeline-marks}): a seeded timeline's {@code history} and its {@code history/marks}
 * answers, whole and for a window. This test asserts that the service answers exactly those files; the console's {@code
 * MarksContractTest} asserts that it draws the marks as it draws the history's changes. A change to either answer
 * fails here first; written anew ({@code -Dasof.contracts.write=true}), the files then check the console against it.
 *
 * <p>The timeline: two identities, one merged into the other and later unmerged, with late arrivals, bulk updates
 * (changes of one instant), changes of one millisecond, sources and channels of every kind (none sent, and named as
 * the console names a missing one), so every part of a mark is met.
 */
class MarksContractIT extends ReconstructionIT {

    private static final JsonMapper PLAIN =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** From the module's directory, where Maven runs its tests. */
    static final Path CONTRACTS = Path.of("..", "contracts", "timeline-marks");

    static final String SURVIVOR = "contract_cust_survivor";
    static final String MEMBER = "contract_cust_member";

    /** What the console asks for (its {@code Timeline.BUCKETS}, which its side of the contract checks). */
    static final int CONSOLE_BUCKETS = 99;

    /** The window of the second marks answer: its start and its (exclusive) end. */
    static final String WINDOW = "from=2026-03-02T14:00:00.000Z&to=2026-03-03T20:00:00.000Z";

    private static final String[] ATTRIBUTES = {"email", "phone", "tier", "address.city"};
    private static final String[] SOURCES = {"genesys_cloud_cx", "nice_cxone", null, "(no source)"};
    private static final String[] CHANNELS = {"voice", "Chat", "EMAIL", null, "(No Channel)"};

    @Test
    void theServiceAnswersTheContractsTimelineAsItsFilesSay() throws IOException {
        for (Logged event : timeline(new Random(20261205L))) {
            fixture.log(event.event(), event.recordedAt());
        }
        String customer = "/api/v1/customers/" + SURVIVOR;
        Map<String, String> answers = new LinkedHashMap<>();
        answers.put("history.json", customer + "/history?limit=1000");
        answers.put("marks.json", customer + "/history/marks?buckets=" + CONSOLE_BUCKETS);
        answers.put("marks-window.json", customer + "/history/marks?buckets=" + CONSOLE_BUCKETS + "&" + WINDOW);

        // the timeline is long enough for the marks to be read in several ranges (ReconstructionIT's settings)
        double rangesBefore = counter("asof.reconstruction.marks.ranges", null, null);
        for (Map.Entry<String, String> answer : answers.entrySet()) {
            HttpResponse<String> response = get(answer.getValue());
            assertThat(response.statusCode()).as(answer.getValue()).isEqualTo(200);
            // as a client reads it (numbers as numbers), written and compared pretty, line by line
            String actual = PLAIN.writeValueAsString(PLAIN.readTree(response.body())) + "\n";
            Path file = CONTRACTS.resolve(answer.getKey());
            if (Boolean.getBoolean("asof.contracts.write")) {
                Files.createDirectories(CONTRACTS);
                Files.writeString(file, actual);
            }
            assertThat(file)
                    .as("the contract's file; -Dasof.contracts.write=true writes it")
                    .exists();
            List<String> expected = Files.readAllLines(file);
            List<String> lines = actual.lines().toList();
            int line = 0;
            while (line < Math.min(expected.size(), lines.size())
                    && expected.get(line).equals(lines.get(line))) {
                line++;
            }
            assertThat(line)
                    .as(
                            "%s against %s: first difference at line %d: expected %s, was %s",
                            answer.getValue(),
                            file,
                            line + 1,
                            line < expected.size() ? expected.get(line) : "the end",
                            line < lines.size() ? lines.get(line) : "the end")
                    .isEqualTo(Math.max(expected.size(), lines.size()));
        }
        assertThat(counter("asof.reconstruction.marks.ranges", null, null) - rangesBefore)
                .isGreaterThan(2);
        JsonNode history = PLAIN.readTree(CONTRACTS.resolve("history.json").toFile());
        assertThat(history.at("/next_cursor").isNull())
                .as("the whole timeline in one page")
                .isTrue();
        assertThat(history.at("/changes").size()).isGreaterThan(150);
    }

    /** An event and when the log writer's clock logs it. */
    record Logged(EventEnvelope event, Instant recordedAt) {}

    /** About 150 events in the order they are logged (recorded time). */
    static List<Logged> timeline(Random random) {
        List<Logged> events = new ArrayList<>();
        Instant valid = Instant.parse("2026-03-02T09:00:00Z");
        for (int i = 0; i < 150; i++) {
            valid = valid.plusMillis(random.nextInt(8) == 0 ? 0 : 1_000 + random.nextInt(3_600_000));
            // mostly a few seconds after the change; one in ten much later, after changes valid later
            Instant recorded = random.nextInt(10) == 0
                    ? valid.plus(Duration.ofHours(1 + random.nextInt(30)))
                    : valid.plusSeconds(1 + random.nextInt(5));
            recorded = recorded.plusMillis(i);
            String customer = random.nextInt(4) == 0 ? MEMBER : SURVIVOR;
            ProfileEvent payload;
            if (i == 50) {
                customer = MEMBER;
                payload = new ProfileMerged(SURVIVOR, MEMBER);
            } else if (i == 110) {
                customer = MEMBER;
                payload = new ProfileUnmerged(SURVIVOR, MEMBER);
            } else if (random.nextInt(8) == 0) {
                List<BulkProfileUpdate.Change> changes = new ArrayList<>();
                for (int c = 0; c < 2 + random.nextInt(3); c++) {
                    changes.add(new BulkProfileUpdate.Change(
                            ATTRIBUTES[random.nextInt(ATTRIBUTES.length)], null, AttributeValue.text("b" + i + c)));
                }
                payload = new BulkProfileUpdate(changes, "campaign");
            } else {
                payload = new AttributeChanged(
                        ATTRIBUTES[random.nextInt(ATTRIBUTES.length)],
                        null,
                        random.nextInt(15) == 0 ? AttributeValue.NULL : AttributeValue.text("v" + i),
                        "agent_update");
            }
            String channel = CHANNELS[random.nextInt(CHANNELS.length)];
            events.add(new Logged(
                    new EventEnvelope(
                            "contract-" + i,
                            valid,
                            customer,
                            SOURCES[random.nextInt(SOURCES.length)],
                            new EventMetadata(channel, channel == null ? null : "inter_" + i, "agent_" + i % 3),
                            payload,
                            EventEnvelope.SCHEMA_VERSION),
                    recorded));
        }
        events.sort(Comparator.comparing(Logged::recordedAt));
        return events;
    }
}
