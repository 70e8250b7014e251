package dev.asof.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class EventValidatorTest {

    private static final String CHANGE = """
            {
              "event_id": "e-1",
              "event_type": "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE",
              "timestamp_utc": "2023-10-27T14:30:00.123Z",
              "customer_id": "cust_88291023",
              "payload": {"attribute_key": "preferred_language", "new_value": "es-ES"}
            }
            """;

    private static final String MERGE = """
            {
              "event_id": "m-1",
              "event_type": "CUSTOMER_PROFILE_MERGE",
              "timestamp_utc": "2023-10-27T15:00:00.000Z",
              "customer_id": "cust_a",
              "payload": {"merged_into": "cust_b", "merged_from": "cust_a"}
            }
            """;

    private static ObjectNode change() {
        return (ObjectNode) EventJson.parse(CHANGE);
    }

    private static ObjectNode payloadOf(ObjectNode event) {
        return (ObjectNode) event.get("payload");
    }

    private static List<String> rules(JsonNode event) {
        return EventValidator.validate(event).stream()
                .map(v -> v.pointer() + " " + v.rule())
                .toList();
    }

    @Test
    void aValidEventHasNoViolations() {
        assertThat(EventValidator.validate(change())).isEmpty();
        assertThat(EventValidator.validate(EventJson.parse(MERGE))).isEmpty();
    }

    @Test
    void everyViolationIsReportedOnceInPointerOrder() {
        ObjectNode event = change();
        event.remove("event_id");
        event.put("customer_id", "");
        event.put("timestamp_utc", "2023-10-27T14:30:00");
        event.put("schema_version", "1");
        event.put("tenant", "acme");
        payloadOf(event).put("attribute_key", "Preferred-Language");
        payloadOf(event).putObject("new_value");
        payloadOf(event).put("comment", "x");

        assertThat(rules(event))
                .containsExactly(
                        "/customer_id minLength",
                        "/customer_id pattern",
                        "/event_id required",
                        "/payload/attribute_key pattern",
                        "/payload/comment additionalProperties",
                        "/payload/new_value type",
                        "/schema_version type",
                        "/tenant additionalProperties",
                        "/timestamp_utc timestamp-offset");
        assertThat(EventValidator.validate(event)).isEqualTo(EventValidator.validate(event.deepCopy()));
    }

    @Test
    void everyMessageNamesTheFieldAndTheRule() {
        ObjectNode event = change();
        event.remove("customer_id");
        payloadOf(event).put("attribute_key", "9lives");
        payloadOf(event).putArray("new_value");

        assertThat(EventValidator.validate(event))
                .containsExactly(
                        new Violation("/customer_id", "required", "customer_id is required"),
                        new Violation(
                                "/payload/attribute_key",
                                "pattern",
                                "payload.attribute_key must match the pattern ^[a-z][a-z0-9_.]{0,127}$"),
                        new Violation(
                                "/payload/new_value",
                                "type",
                                "payload.new_value must be of type [string, number, boolean, null], not array"));
    }

    @Test
    void aPropertyNameIsEscapedInThePointer() {
        ObjectNode event = change();
        event.put("a/b~c", 1);

        assertThat(EventValidator.validate(event)).singleElement().satisfies(v -> {
            assertThat(v.pointer()).isEqualTo("/a~1b~0c");
            assertThat(v.rule()).isEqualTo("additionalProperties");
            assertThat(v.message()).contains("a/b~c");
        });
    }

    @Test
    void somethingOtherThanAnObjectIsNoEvent() {
        assertThat(rules(EventJson.parse("[1, 2]"))).containsExactly(" type");
        assertThat(rules(EventJson.parse("\"event\""))).containsExactly(" type");
        assertThat(EventValidator.validate(null)).extracting(Violation::rule).containsExactly("type");
    }

    @Nested
    class Envelope {

        @Test
        void theRequiredFieldsAreRequired() {
            assertThat(rules(EventJson.parse("{}")))
                    .containsExactly(
                            "/customer_id required",
                            "/event_id required",
                            "/event_type required",
                            "/payload required",
                            "/timestamp_utc required");
        }

        @Test
        void anUnknownEventTypeIsAViolationNeverSkipped() {
            ObjectNode event = change();
            event.put("event_type", "CUSTOMER_PROFILE_DELETED");

            assertThat(EventValidator.validate(event)).singleElement().satisfies(v -> {
                assertThat(v.pointer()).isEqualTo("/event_type");
                assertThat(v.rule()).isEqualTo("enum");
                assertThat(v.message()).contains("event_type", "CUSTOMER_PROFILE_DELETED", "CUSTOMER_PROFILE_MERGE");
            });
            assertThatThrownBy(() -> EventJson.decode(event)).isInstanceOf(InvalidEventException.class);
        }

        @Test
        void eventTypeIsCaseSensitive() {
            ObjectNode event = change();
            event.put("event_type", "customer_profile_attribute_change");
            assertThat(rules(event)).containsExactly("/event_type enum");
        }

        @Test
        void idsAreBounded() {
            ObjectNode event = change();
            event.put("event_id", "x".repeat(129));
            event.put("customer_id", 42);
            assertThat(rules(event)).containsExactly("/customer_id type", "/event_id maxLength", "/event_id pattern");
        }

        @Test
        void idsFollowOneSafeGrammar() {
            for (String good : List.of(
                    "cust_88291023",
                    "7d1f0b8e-2f6c-4a51-9d3e-0c8b6f7a1e01",
                    "ana.perez+vip@example.com",
                    "a",
                    "Zx:9=")) {
                ObjectNode event = change();
                event.put("customer_id", good);
                event.put("event_id", good);
                assertThat(rules(event)).as(good).isEmpty();
                assertThat(Identifiers.isValid(good)).as(good).isTrue();
            }
            for (String bad : List.of(
                    "cust/1",
                    "cust 1",
                    "cust\n1",
                    "cust\u00001",
                    "iso_bad\ufffd",
                    "caf\u00e9",
                    "_leading",
                    "-x",
                    "a#b",
                    "..")) {
                ObjectNode event = change();
                event.put("customer_id", bad);
                assertThat(rules(event)).as(bad).containsExactly("/customer_id pattern");
                assertThat(Identifiers.isValid(bad)).as(bad).isFalse();
            }
        }

        @Test
        void theSchemaAndTheCodeShareTheIdGrammar() {
            String schema;
            try (var in = EventValidator.class.getResourceAsStream(EventValidator.SCHEMA_RESOURCE)) {
                schema = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertThat(schema).contains("\"pattern\": \"" + Identifiers.PATTERN + "\"");
        }

        @Test
        void timestampsOutsideTheStorableRangeAreRefused() {
            for (String outside : List.of(
                    "1969-12-31T23:59:59.999Z",
                    "0001-01-01T00:00:00Z",
                    "+10000-01-01T00:00:00Z",
                    "+999999999-12-31T23:59:59Z",
                    "-999999999-01-01T00:00:00Z",
                    "1970-01-01T00:59:59+01:00")) {
                ObjectNode event = change();
                event.put("timestamp_utc", outside);
                assertThat(rules(event)).as(outside).containsExactly("/timestamp_utc timestamp-range");
            }
            for (String inside :
                    List.of("1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "1970-01-01T01:00:00+01:00")) {
                ObjectNode event = change();
                event.put("timestamp_utc", inside);
                assertThat(rules(event)).as(inside).isEmpty();
            }
        }

        @Test
        void anEventWithTooManyValuesGetsOneViolationNotOnePerValue() {
            ObjectNode event = change();
            for (int i = 0; i < 170_000; i++) {
                event.put("unknown_" + i, i);
            }
            assertThat(rules(event)).containsExactly(" max-values");
        }

        @Test
        void anEventLargerThanTheLogTakesIsRefused() {
            ObjectNode event = change();
            event.put("event_type", "BULK_PROFILE_UPDATE");
            ArrayNode changes = event.putObject("payload").putArray("changes");
            for (int i = 0; i < 100; i++) {
                changes.addObject().put("attribute_key", "k" + i).put("new_value", "v".repeat(4000));
            }
            assertThat(rules(event)).containsExactly(" event-size");
        }

        @Test
        void unpairedSurrogatesAreRefusedWherever() {
            ObjectNode event = change();
            payloadOf(event).put("new_value", "abc\ud800");
            ObjectNode metadata = event.putObject("metadata");
            metadata.put("agent_id", "\udc00x");
            assertThat(rules(event)).containsExactly("/metadata/agent_id unicode", "/payload/new_value unicode");
            payloadOf(event).put("new_value", "\ud83d\ude00 fine");
            metadata.put("agent_id", "agent_1");
            assertThat(rules(event)).isEmpty();
        }

        @Test
        void sourceSystemIsAnOptionalString() {
            ObjectNode event = change();
            event.put("source_system", "nice_cxone");
            assertThat(rules(event)).isEmpty();
            event.putNull("source_system");
            assertThat(rules(event)).containsExactly("/source_system type");
        }

        @Test
        void metadataFieldsMayBeNullButNothingElse() {
            ObjectNode event = change();
            ObjectNode metadata = event.putObject("metadata");
            metadata.putNull("channel");
            metadata.put("interaction_id", "inter_1");
            assertThat(rules(event)).isEmpty();

            metadata.put("agent_id", 12345);
            metadata.put("queue", "vip");
            assertThat(rules(event)).containsExactly("/metadata/agent_id type", "/metadata/queue additionalProperties");
        }

        @Test
        void schemaVersionsOneAndTwoAreUnderstoodAndNothingNewer() {
            ObjectNode event = change();
            event.put("schema_version", 1);
            assertThat(rules(event)).isEmpty();
            event.put("schema_version", 2);
            assertThat(rules(event)).isEmpty();
            event.put("schema_version", 3);
            assertThat(EventValidator.validate(event)).singleElement().satisfies(v -> {
                assertThat(v.pointer()).isEqualTo("/schema_version");
                assertThat(v.rule()).isEqualTo("schema-version");
                assertThat(v.message()).contains("schema_version 3").contains("up to 2");
            });
            event.put("schema_version", 0);
            assertThat(rules(event)).containsExactly("/schema_version minimum");
            event.put("schema_version", 1.5);
            assertThat(rules(event)).containsExactly("/schema_version type");
        }

        @Test
        void theRationaleOfAMergeCameWithVersionTwo() {
            for (String type : List.of("CUSTOMER_PROFILE_MERGE", "CUSTOMER_PROFILE_UNMERGE")) {
                ObjectNode event = (ObjectNode) EventJson.parse(MERGE);
                event.put("event_type", type);
                payloadOf(event).put("reason", "same email");
                payloadOf(event).put("decided_by", "agent_12345");
                payloadOf(event).putObject("evidence").put("score", 0.97);
                assertThat(rules(event))
                        .as("%s without schema_version", type)
                        .containsExactly(
                                "/payload/decided_by schema-version",
                                "/payload/evidence schema-version",
                                "/payload/reason schema-version");
                event.put("schema_version", 1);
                assertThat(rules(event)).as("%s, version 1", type).hasSize(3);
                assertThat(EventValidator.validate(event).get(0).message())
                        .contains("payload.decided_by came with schema_version 2");
                event.put("schema_version", 2);
                assertThat(rules(event)).as("%s, version 2", type).isEmpty();
            }
        }

        @Test
        void theRationaleIsCheckedFieldByField() {
            ObjectNode event = (ObjectNode) EventJson.parse(MERGE);
            event.put("schema_version", 2);
            payloadOf(event).put("reason", "r".repeat(257));
            payloadOf(event).put("decided_by", 12);
            payloadOf(event).putArray("evidence");
            assertThat(rules(event))
                    .containsExactly("/payload/decided_by type", "/payload/evidence type", "/payload/reason maxLength");
            payloadOf(event).remove(List.of("reason", "decided_by"));
            payloadOf(event).putObject("evidence").put("note", "x".repeat(EventValidator.MAX_EVIDENCE_BYTES));
            assertThat(EventValidator.validate(event)).singleElement().satisfies(v -> {
                assertThat(v.pointer()).isEqualTo("/payload/evidence");
                assertThat(v.rule()).isEqualTo("evidence-size");
            });
        }
    }

    @Nested
    class Timestamp {

        @Test
        void zAndOffsetsAreAccepted() {
            for (String timestamp : List.of(
                    "2023-10-27T14:30:00.123Z",
                    "2023-10-27T14:30:00Z",
                    "2023-10-27T16:30:00.123+02:00",
                    "2023-10-27T09:30:00-05:00",
                    "2023-10-27T14:30:00.123456789Z")) {
                ObjectNode event = change();
                event.put("timestamp_utc", timestamp);
                assertThat(rules(event)).as(timestamp).isEmpty();
            }
        }

        @Test
        void aLocalTimeWithoutOffsetIsRefused() {
            ObjectNode event = change();
            event.put("timestamp_utc", "2023-10-27T14:30:00.123");

            assertThat(EventValidator.validate(event)).singleElement().satisfies(v -> {
                assertThat(v.pointer()).isEqualTo("/timestamp_utc");
                assertThat(v.rule()).isEqualTo("timestamp-offset");
                assertThat(v.message()).contains("timestamp_utc", "offset");
            });
        }

        @Test
        void somethingThatIsNoDateTimeIsRefused() {
            for (String timestamp : List.of("yesterday", "2023-10-27", "2023-02-30T10:00:00Z", "1698417000123", "")) {
                ObjectNode event = change();
                event.put("timestamp_utc", timestamp);
                assertThat(rules(event))
                        .as(timestamp)
                        .contains("/timestamp_utc date-time")
                        .doesNotContain("/timestamp_utc timestamp-offset");
            }
        }

        @Test
        void aNumberIsNoTimestamp() {
            ObjectNode event = change();
            event.put("timestamp_utc", 1698417000123L);
            assertThat(rules(event)).containsExactly("/timestamp_utc type");
        }
    }

    @Nested
    class AttributeChange {

        @Test
        void newValueIsRequiredButMayBeNull() {
            ObjectNode event = change();
            payloadOf(event).remove("new_value");
            assertThat(rules(event)).containsExactly("/payload/new_value required");
            payloadOf(event).putNull("new_value");
            assertThat(rules(event)).isEmpty();
        }

        @Test
        void valuesAreJsonScalars() {
            ObjectNode event = change();
            payloadOf(event).put("new_value", 1.25);
            payloadOf(event).put("previous_value", true);
            assertThat(rules(event)).isEmpty();
            payloadOf(event).putObject("previous_value").put("a", 1);
            assertThat(rules(event)).containsExactly("/payload/previous_value type");
        }

        @Test
        void keysFollowTheGrammar() {
            for (String key : List.of("a", "consent.marketing", "preferred_language", "x" + "y".repeat(127))) {
                ObjectNode event = change();
                payloadOf(event).put("attribute_key", key);
                assertThat(rules(event)).as(key).isEmpty();
            }
            for (String key :
                    List.of("", "Name", "1st", "_x", ".x", "first name", "x" + "y".repeat(128), "name\n", "café")) {
                ObjectNode event = change();
                payloadOf(event).put("attribute_key", key);
                assertThat(rules(event)).as(key).containsExactly("/payload/attribute_key pattern");
            }
        }

        @Test
        void aValueMayTakeAtMost4096BytesOfJson() {
            ObjectNode event = change();
            payloadOf(event).put("new_value", "x".repeat(AttributeValue.MAX_JSON_BYTES - 2)); // plus two quotes
            assertThat(rules(event)).isEmpty();

            payloadOf(event).put("new_value", "x".repeat(AttributeValue.MAX_JSON_BYTES - 1));
            assertThat(rules(event)).containsExactly("/payload/new_value value-size");

            // bytes, not characters: 2,048 two-byte characters
            payloadOf(event).put("new_value", "é".repeat(2048));
            payloadOf(event).put("previous_value", "é".repeat(2047));
            assertThat(EventValidator.validate(event)).singleElement().satisfies(v -> {
                assertThat(v.pointer()).isEqualTo("/payload/new_value");
                assertThat(v.message()).contains("payload.new_value", "4098 bytes", "4096");
            });
        }

        @Test
        void aNumberCountsAtItsPlainLength() {
            ObjectNode event = (ObjectNode) EventJson.parse(CHANGE.replace("\"es-ES\"", "1e5000"));
            assertThat(rules(event)).containsExactly("/payload/new_value value-size");
            event = (ObjectNode) EventJson.parse(CHANGE.replace("\"es-ES\"", "1e-20"));
            assertThat(rules(event)).isEmpty();
        }

        @Test
        void changeReasonIsAString() {
            ObjectNode event = change();
            payloadOf(event).put("change_reason", "agent_update");
            assertThat(rules(event)).isEmpty();
            payloadOf(event).put("change_reason", 7);
            assertThat(rules(event)).containsExactly("/payload/change_reason type");
        }

        @Test
        void aPayloadOfAnotherTypeIsRefused() {
            ObjectNode event = change();
            event.set("payload", EventJson.parse("{\"merged_into\": \"b\", \"merged_from\": \"a\"}"));
            assertThat(rules(event))
                    .containsExactly(
                            "/payload/attribute_key required",
                            "/payload/merged_from additionalProperties",
                            "/payload/merged_into additionalProperties",
                            "/payload/new_value required");
        }
    }

    @Nested
    class Bulk {

        private ObjectNode bulk(int size) {
            ObjectNode event = change();
            event.put("event_type", "BULK_PROFILE_UPDATE");
            ObjectNode payload = event.putObject("payload");
            ArrayNode changes = payload.putArray("changes");
            for (int i = 0; i < size; i++) {
                changes.addObject().put("attribute_key", "key_" + i).put("new_value", i);
            }
            return event;
        }

        @Test
        void oneToFiveHundredChanges() {
            assertThat(rules(bulk(1))).isEmpty();
            assertThat(rules(bulk(BulkProfileUpdate.MAX_CHANGES))).isEmpty();
            assertThat(rules(bulk(BulkProfileUpdate.MAX_CHANGES + 1))).containsExactly("/payload/changes maxItems");
            assertThat(rules(bulk(0))).containsExactly("/payload/changes minItems");
        }

        @Test
        void eachChangeIsCheckedAtItsIndex() {
            ObjectNode event = bulk(12);
            ArrayNode changes = (ArrayNode) payloadOf(event).get("changes");
            ((ObjectNode) changes.get(2)).remove("new_value");
            ((ObjectNode) changes.get(10)).put("attribute_key", "Bad Key");
            ((ObjectNode) changes.get(10)).put("change_reason", "per-entry reasons are not part of the contract");
            ((ObjectNode) changes.get(11)).put("new_value", "x".repeat(5000));

            assertThat(rules(event))
                    .containsExactly(
                            "/payload/changes/2/new_value required",
                            "/payload/changes/10/attribute_key pattern",
                            "/payload/changes/10/change_reason additionalProperties",
                            "/payload/changes/11/new_value value-size");
            assertThat(EventValidator.validate(event).get(1).message()).startsWith("payload.changes[10].attribute_key");
        }

        @Test
        void changesAreRequired() {
            ObjectNode event = bulk(1);
            payloadOf(event).remove("changes");
            assertThat(rules(event)).containsExactly("/payload/changes required");
        }
    }

    @Nested
    class MergeAndUnmerge {

        @Test
        void theMergeTravelsInTheStreamOfTheIdentityMergedAway() {
            ObjectNode event = (ObjectNode) EventJson.parse(MERGE);
            event.put("customer_id", "cust_b");

            assertThat(EventValidator.validate(event)).singleElement().satisfies(v -> {
                assertThat(v.pointer()).isEqualTo("/payload/merged_from");
                assertThat(v.rule()).isEqualTo("merged-from");
                assertThat(v.message()).contains("merged_from", "customer_id");
            });
        }

        @Test
        void anIdentityCannotMergeIntoItself() {
            ObjectNode event = (ObjectNode) EventJson.parse(MERGE);
            payloadOf(event).put("merged_into", "cust_a");
            assertThat(rules(event)).containsExactly("/payload/merged_into self-merge");
            event.put("event_type", "CUSTOMER_PROFILE_UNMERGE");
            assertThat(rules(event)).containsExactly("/payload/merged_into self-merge");
        }

        @Test
        void bothIdentitiesAreRequired() {
            ObjectNode event = (ObjectNode) EventJson.parse(MERGE);
            event.put("event_type", "CUSTOMER_PROFILE_UNMERGE");
            payloadOf(event).remove("merged_into");
            payloadOf(event).put("merged_from", "");
            assertThat(rules(event))
                    .containsExactly(
                            "/payload/merged_from merged-from",
                            "/payload/merged_from minLength",
                            "/payload/merged_from pattern",
                            "/payload/merged_into required");
        }
    }

    @Nested
    class Erasure {

        @Test
        void theReasonIsOptional() {
            ObjectNode event = (ObjectNode) EventJson.parse(MERGE);
            event.put("event_type", "CUSTOMER_PROFILE_ERASED");
            event.putObject("payload");
            assertThat(rules(event)).isEmpty();
            payloadOf(event).put("reason", "gdpr_article_17");
            assertThat(rules(event)).isEmpty();
            payloadOf(event).put("attribute_key", "email");
            assertThat(rules(event)).containsExactly("/payload/attribute_key additionalProperties");
        }
    }

    @Nested
    class MalformedJson {

        @Test
        void aRepeatedPropertyIsMalformed() {
            assertThatThrownBy(() -> EventJson.decode(CHANGE.replace(
                            "\"customer_id\": \"cust_88291023\"",
                            "\"customer_id\": \"cust_88291023\", \"customer_id\": \"cust_other\"")))
                    .isInstanceOfSatisfying(
                            InvalidEventException.class,
                            e -> assertThat(e.violations()).singleElement().satisfies(v -> {
                                assertThat(v.rule()).isEqualTo("json");
                                assertThat(v.message()).contains("customer_id");
                            }));
        }

        @Test
        void anEmptyDocumentIsMalformed() {
            assertThatThrownBy(() -> EventJson.decode("  "))
                    .isInstanceOfSatisfying(
                            InvalidEventException.class,
                            e -> assertThat(e.violations())
                                    .extracting(Violation::rule)
                                    .containsExactly("json"));
        }

        @Test
        void theExceptionListsEveryViolation() {
            ObjectNode event = change();
            event.remove("event_id");
            event.put("timestamp_utc", "2023-10-27T14:30:00");
            assertThatThrownBy(() -> EventJson.decode(event)).isInstanceOfSatisfying(InvalidEventException.class, e -> {
                assertThat(e.violations()).extracting(Violation::rule).containsExactly("required", "timestamp-offset");
                assertThat(e.getMessage()).contains("/event_id required", "/timestamp_utc timestamp-offset");
            });
        }
    }
}
