package dev.asof.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Golden JSON: every event type as a source sends it ({@code golden/*.json}, the design guide's two examples
 * verbatim among them) and as this codec writes it ({@code golden/canonical/*.json}). A change to the wire form
 * shows up as a diff of a checked-in file.
 */
class GoldenJsonTest {

    private static final Path GOLDEN = resource("golden");

    static Stream<String> inputs() throws IOException {
        try (Stream<Path> files = Files.list(GOLDEN)) {
            return files
                    .filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".json"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void decodingAndEncodingGivesTheCanonicalForm(String name) {
        EventEnvelope event = EventJson.decode(read(GOLDEN.resolve(name)));
        String encoded = EventJson.encode(event);
        JsonNode canonical = EventJson.parse(read(GOLDEN.resolve("canonical").resolve(name)));

        assertThat(EventJson.parse(encoded)).as("canonical tree of %s", name).isEqualTo(canonical);
        // the text too: field order and numbers exactly as written (1.0 is not 1)
        assertThat(encoded)
                .as("canonical text of %s", name)
                .isEqualTo(EventJson.mapper().writeValueAsString(canonical));
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void theCanonicalFormIsAFixedPoint(String name) {
        String canonical = EventJson.mapper()
                .writeValueAsString(
                        EventJson.parse(read(GOLDEN.resolve("canonical").resolve(name))));
        assertThat(EventJson.encode(EventJson.decode(canonical))).isEqualTo(canonical);
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void nothingTheSourceSentIsLost(String name) {
        JsonNode input = EventJson.parse(read(GOLDEN.resolve(name)));
        JsonNode output = EventJson.parse(EventJson.encode(EventJson.decode(input)));
        Map<String, JsonNode> sent = leaves(input);
        Map<String, JsonNode> written = leaves(output);

        sent.forEach((pointer, value) -> {
            JsonNode kept = written.get(pointer);
            if (pointer.equals("/timestamp_utc")) {
                // normalized to UTC milliseconds: the same instant, written with Z
                assertThat(Timestamps.parse(kept.asString()))
                        .as("%s in %s", pointer, name)
                        .isEqualTo(Timestamps.parse(value.asString()));
            } else if (value.isNull() && pointer.startsWith("/metadata/")) {
                // an unknown context field is written by leaving it out
                assertThat(kept).as("%s in %s", pointer, name).isNull();
            } else {
                assertThat(kept).as("%s in %s", pointer, name).isEqualTo(value);
            }
        });
        written.keySet()
                .forEach(pointer -> assertThat(sent.containsKey(pointer) || pointer.equals("/schema_version"))
                        .as("%s written but never sent in %s", pointer, name)
                        .isTrue());
    }

    @Test
    void everyEventTypeHasAGoldenFile() throws IOException {
        Set<EventType> covered = EnumSet.noneOf(EventType.class);
        for (String name : inputs().toList()) {
            covered.add(EventJson.decode(read(GOLDEN.resolve(name))).eventType());
        }
        assertThat(covered).containsExactlyInAnyOrder(EventType.values());
    }

    @Test
    void theGuidesAttributeChangeMeansWhatItSays() {
        EventEnvelope event = EventJson.decode(read(GOLDEN.resolve("guide-attribute-change.json")));

        assertThat(event.eventId()).isEqualTo("uuid-v4-generated-by-ingestion-service");
        assertThat(event.timestampUtc()).isEqualTo(ProfileSpecification.time("14:30:00.123"));
        assertThat(event.customerId()).isEqualTo("cust_88291023");
        assertThat(event.sourceSystem()).isEqualTo("genesys_cloud_cx");
        assertThat(event.metadata()).isEqualTo(new EventMetadata("voice", "inter_9928374", "agent_12345"));
        assertThat(event.payload())
                .isEqualTo(new AttributeChanged(
                        "preferred_language",
                        AttributeValue.text("en-US"),
                        AttributeValue.text("es-ES"),
                        "agent_update"));
        assertThat(event.schemaVersion()).isEqualTo(1);
    }

    @Test
    void theGuidesMergeMeansWhatItSays() {
        EventEnvelope event = EventJson.decode(read(GOLDEN.resolve("guide-merge.json")));

        assertThat(event.eventId()).isEqualTo("uuid-merge-123");
        assertThat(event.timestampUtc()).isEqualTo(ProfileSpecification.time("15:00:00"));
        assertThat(event.customerId()).isEqualTo("cust_88291023");
        assertThat(event.sourceSystem()).isNull();
        assertThat(event.metadata()).isEqualTo(EventMetadata.EMPTY);
        assertThat(event.payload()).isEqualTo(new ProfileMerged("cust_99382910", "cust_88291023"));
    }

    @Test
    void aBulkUpdateKeepsItsOrderAndItsExactNumbers() {
        EventEnvelope event = EventJson.decode(read(GOLDEN.resolve("bulk-profile-update.json")));

        BulkProfileUpdate bulk = (BulkProfileUpdate) event.payload();
        assertThat(bulk.changes())
                .extracting(BulkProfileUpdate.Change::attributeKey)
                .containsExactly("tier", "consent.marketing", "lifetime_value", "fax", "tier");
        assertThat(bulk.changes().get(2).newValue()).isEqualTo(new AttributeValue.Numeric(new BigDecimal("1250.50")));
        assertThat(bulk.changes().get(3).newValue()).isEqualTo(AttributeValue.NULL);
        assertThat(bulk.changes().get(1).previousValue()).isNull();
    }

    @Test
    void aNumberChangeFromOneToOnePointZeroIsANoOp() {
        EventEnvelope event = EventJson.decode(read(GOLDEN.resolve("attribute-change-number.json")));

        assertThat(((AttributeChanged) event.payload()).isNoOp()).isTrue();
    }

    /** Every scalar of a tree by JSON pointer (an empty object or array counts as a leaf). */
    private static Map<String, JsonNode> leaves(JsonNode node) {
        Map<String, JsonNode> leaves = new TreeMap<>();
        collect("", node, leaves);
        return leaves;
    }

    private static void collect(String pointer, JsonNode node, Map<String, JsonNode> leaves) {
        if (node.isObject() && !node.isEmpty()) {
            List<String> names = new ArrayList<>(node.propertyNames());
            for (String field : names) {
                collect(pointer + "/" + EventValidator.escape(field), node.get(field), leaves);
            }
        } else if (node.isArray() && !node.isEmpty()) {
            for (int i = 0; i < node.size(); i++) {
                collect(pointer + "/" + i, node.get(i), leaves);
            }
        } else {
            leaves.put(pointer, node);
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path resource(String name) {
        try {
            return Path.of(GoldenJsonTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
