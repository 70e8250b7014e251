package dev.asof.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventJsonTest {

    private static final Instant T = Instant.parse("2023-10-27T14:30:00.123Z");

    private static EventEnvelope envelope(ProfileEvent payload) {
        return new EventEnvelope(
                "evt-1",
                T,
                "cust_88291023",
                "genesys_cloud_cx",
                new EventMetadata("voice", "inter_9928374", "agent_12345"),
                payload,
                EventEnvelope.SCHEMA_VERSION);
    }

    private static void assertRoundTrips(EventEnvelope event) {
        String json = EventJson.encode(event);
        EventEnvelope decoded = EventJson.decode(json);
        assertThat(decoded).isEqualTo(event);
        assertThat(EventJson.encode(decoded)).isEqualTo(json);
    }

    @Test
    void everyEventTypeRoundTrips() {
        assertRoundTrips(envelope(new AttributeChanged(
                "preferred_language", AttributeValue.text("en-US"), AttributeValue.text("es-ES"), "agent_update")));
        assertRoundTrips(envelope(new AttributeChanged("email", null, AttributeValue.NULL, null)));
        assertRoundTrips(envelope(new BulkProfileUpdate(
                List.of(
                        new BulkProfileUpdate.Change(
                                "tier", AttributeValue.text("silver"), AttributeValue.text("gold")),
                        new BulkProfileUpdate.Change("consent.marketing", null, new AttributeValue.Bool(false)),
                        new BulkProfileUpdate.Change("fax", AttributeValue.NULL, AttributeValue.NULL)),
                "campaign")));
        assertRoundTrips(envelope(new ProfileMerged("cust_99382910", "cust_88291023")));
        assertRoundTrips(envelope(new ProfileUnmerged("cust_99382910", "cust_88291023")));
        assertRoundTrips(envelope(new ProfileMerged(
                "cust_99382910",
                "cust_88291023",
                "same caller",
                "agent_12345",
                "{\"score\":11.27,\"fields\":[{\"field\":\"email\",\"weight\":8.91}]}")));
        assertRoundTrips(envelope(new ProfileUnmerged("cust_99382910", "cust_88291023", "not the same", "dpo", null)));
        assertRoundTrips(envelope(new ProfileErased("gdpr_article_17")));
        assertRoundTrips(envelope(new ProfileErased(null)));
    }

    @Test
    void optionalEnvelopeFieldsRoundTripWhenAbsent() {
        assertRoundTrips(new EventEnvelope(
                "evt-2",
                T,
                "cust_1",
                null,
                EventMetadata.EMPTY,
                new ProfileErased(null),
                EventEnvelope.SCHEMA_VERSION));
        assertRoundTrips(new EventEnvelope(
                "evt-3",
                T,
                "cust_1",
                null,
                new EventMetadata(null, null, "agent_1"),
                new ProfileErased(null),
                EventEnvelope.SCHEMA_VERSION));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1",
                "1.0",
                "1.00",
                "0.10",
                "-2.5",
                "0",
                "1250.50",
                "123456789012345678901234567890",
                "0.1000000000000000055511151231257827",
                "-9223372036854775809"
            })
    void numbersKeepTheirExactTextAndScale(String number) {
        String json = changeWith(number);
        EventEnvelope event = EventJson.decode(json);
        AttributeValue value = ((AttributeChanged) event.payload()).newValue();

        assertThat(value).isEqualTo(new AttributeValue.Numeric(new BigDecimal(number)));
        assertThat(EventJson.encode(event)).contains("\"new_value\":" + number + "}");
    }

    @Test
    void oneAndOnePointZeroAreDifferentTextsOfTheSameValue() {
        AttributeValue one = valueOf("1");
        AttributeValue onePointZero = valueOf("1.0");

        assertThat(one).isNotEqualTo(onePointZero);
        assertThat(one.sameAs(onePointZero)).isTrue();
        assertThat(onePointZero.sameAs(one)).isTrue();
        assertThat(one.asText()).isEqualTo("1");
        assertThat(onePointZero.asText()).isEqualTo("1.0");
    }

    @Test
    void exponentNotationKeepsItsValueAndScale() {
        AttributeValue value = valueOf("1e3");
        assertThat(((AttributeValue.Numeric) value).value()).isEqualTo(new BigDecimal("1E+3"));
        assertThat(value.asText()).isEqualTo("1000");
        assertThat(EventJson.encode(EventJson.decode(changeWith("1e3")))).contains("\"new_value\":1E+3");
    }

    /** Exponents past what a BigDecimal holds: refused as JSON, never a NumberFormatException quoting the number. */
    @Test
    void aNumberWithAnExponentNoValueHoldsIsRefusedWithoutQuotingIt() {
        for (String number : List.of("1e-2147483648", "1e2147483648", "0e-2147483648", "-1E+99999999999")) {
            assertThatThrownBy(() -> EventJson.parse(changeWith(number)))
                    .as(number)
                    .isInstanceOfSatisfying(
                            InvalidEventException.class,
                            e -> assertThat(e.violations()).singleElement().satisfies(violation -> {
                                assertThat(violation.rule()).isEqualTo("json");
                                assertThat(violation.toString()).doesNotContain(number.substring(2));
                            }));
        }
    }

    @Test
    void scalarsKeepTheirJsonType() {
        assertThat(valueOf("\"1\"")).isEqualTo(AttributeValue.text("1"));
        assertThat(valueOf("true")).isEqualTo(new AttributeValue.Bool(true));
        assertThat(valueOf("null")).isEqualTo(AttributeValue.NULL);
        assertThat(valueOf("\"\"")).isEqualTo(AttributeValue.text(""));
    }

    @Test
    void anAbsentPreviousValueDiffersFromANullOne() {
        EventEnvelope absent = EventJson.decode(changeWith("1"));
        EventEnvelope explicitNull =
                EventJson.decode(changeWith("1").replace("\"new_value\"", "\"previous_value\":null,\"new_value\""));

        assertThat(((AttributeChanged) absent.payload()).previousValue()).isNull();
        assertThat(((AttributeChanged) explicitNull.payload()).previousValue()).isEqualTo(AttributeValue.NULL);
        assertThat(EventJson.encode(explicitNull)).contains("\"previous_value\":null");
        assertThat(EventJson.encode(absent)).doesNotContain("previous_value");
    }

    @Test
    void unicodeSurvives() {
        String json = changeWith("\"Zoë 山田 🙂\"");
        assertThat(EventJson.decode(EventJson.encode(EventJson.decode(json))).payload())
                .isEqualTo(new AttributeChanged("name", null, AttributeValue.text("Zoë 山田 🙂"), null));
    }

    @Test
    void theEnvelopeIsWrittenInAFixedFieldOrder() {
        String json = EventJson.encode(envelope(new ProfileErased("gdpr_article_17")));
        assertThat(json)
                .isEqualTo("{\"event_id\":\"evt-1\",\"event_type\":\"CUSTOMER_PROFILE_ERASED\","
                        + "\"timestamp_utc\":\"2023-10-27T14:30:00.123Z\",\"customer_id\":\"cust_88291023\","
                        + "\"source_system\":\"genesys_cloud_cx\",\"metadata\":{\"channel\":\"voice\","
                        + "\"interaction_id\":\"inter_9928374\",\"agent_id\":\"agent_12345\"},"
                        + "\"payload\":{\"reason\":\"gdpr_article_17\"},\"schema_version\":2}");
    }

    @Test
    void aMissingSchemaVersionMeansOne() {
        assertThat(EventJson.decode(changeWith("1")).schemaVersion()).isEqualTo(1);
    }

    @Test
    void anInvalidEventIsNeverDecoded() {
        assertThatThrownBy(() -> EventJson.decode(changeWith("{}")))
                .isInstanceOfSatisfying(
                        InvalidEventException.class,
                        e -> assertThat(e.violations())
                                .extracting(Violation::pointer)
                                .containsExactly("/payload/new_value"));
        assertThatThrownBy(() -> EventJson.decode("{not json"))
                .isInstanceOfSatisfying(
                        InvalidEventException.class,
                        e -> assertThat(e.violations())
                                .extracting(Violation::rule)
                                .containsExactly("json"));
        assertThatThrownBy(() -> EventJson.decode("{} {}")).isInstanceOf(InvalidEventException.class);
    }

    @Test
    void randomEventsRoundTripExactly() {
        long seed = Long.getLong("asof.seed", ProfileFoldDifferentialTest.DEFAULT_SEED);
        java.util.SplittableRandom seeds = new java.util.SplittableRandom(seed);
        int count = 0;
        for (int i = 0; i < 200; i++) {
            for (RecordedEvent recorded : RandomHistories.history(seeds.nextLong())) {
                EventEnvelope event = recorded.event();
                String json = EventJson.encode(event);
                assertThat(EventJson.decode(json)).as("seed %d: %s", seed, json).isEqualTo(event);
                count++;
            }
        }
        System.out.printf("codec: %d random events round-tripped, seed=%d%n", count, seed);
    }

    private static String changeWith(String newValueJson) {
        return "{\"event_id\":\"e\",\"event_type\":\"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE\","
                + "\"timestamp_utc\":\"2023-10-27T14:30:00.123Z\",\"customer_id\":\"c\","
                + "\"payload\":{\"attribute_key\":\"name\",\"new_value\":" + newValueJson + "}}";
    }

    private static AttributeValue valueOf(String json) {
        return ((AttributeChanged) EventJson.decode(changeWith(json)).payload()).newValue();
    }
}
