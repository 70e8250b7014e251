package dev.asof.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The shipped JSON Schema itself. */
class EnvelopeSchemaTest {

    private static JsonNode schema() throws IOException {
        try (InputStream in = EventValidator.class.getResourceAsStream(EventValidator.SCHEMA_RESOURCE)) {
            assertThat(in)
                    .as("%s on the classpath", EventValidator.SCHEMA_RESOURCE)
                    .isNotNull();
            return EventJson.mapper().readTree(in);
        }
    }

    @Test
    void isAValidDraft202012Schema() throws IOException {
        Schema metaSchema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
        assertThat(metaSchema.validate(schema())).isEmpty();
        assertThat(schema().get("$schema").asString()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    }

    @Test
    void listsExactlyTheWireNamesOfTheEventTypes() throws IOException {
        List<String> names = schema().at("/properties/event_type/enum")
                .valueStream()
                .map(JsonNode::asString)
                .toList();
        assertThat(names)
                .containsExactlyInAnyOrderElementsOf(List.of(EventType.values()).stream()
                        .map(EventType::wireName)
                        .toList());
    }

    @Test
    void usesTheKeyGrammarAndTheBulkLimitOfTheCode() throws IOException {
        assertThat(schema().at("/$defs/attributeKey/pattern").asString()).isEqualTo(AttributeKeys.PATTERN);
        assertThat(schema().at("/$defs/bulkProfileUpdate/properties/changes/maxItems")
                        .asInt())
                .isEqualTo(BulkProfileUpdate.MAX_CHANGES);
    }

    @Test
    void everyEventTypeHasAPayloadRule() throws IOException {
        List<String> guarded = schema().get("allOf")
                .valueStream()
                .map(rule -> rule.at("/if/properties/event_type/const").asString())
                .toList();
        assertThat(guarded)
                .containsExactlyInAnyOrderElementsOf(List.of(EventType.values()).stream()
                        .map(EventType::wireName)
                        .toList());
    }
}
