package dev.asof.events;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The wire form of events: snake_case JSON, fields in a fixed order, timestamps in UTC with milliseconds.
 * Decoding validates first ({@link EventValidator}) and reports every violation; nothing is skipped.
 */
public final class EventJson {

    // Exact numbers (1.0 stays 1.0), and a repeated property is malformed rather than "last one wins": another
    // reader of the same immutable log could pick the first one and see a different event.
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Why a document with a number no value can hold (an exponent past 32 bits) is refused. */
    public static final String NUMBER_OUT_OF_RANGE = "a number's exponent is out of range for any value";

    private EventJson() {}

    /** The shared mapper, configured to keep numbers exact. */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    /** Parses and validates one envelope. */
    public static EventEnvelope decode(String json) {
        return decode(parse(json));
    }

    /** Parses JSON text, reporting malformed JSON as a violation of the whole document. */
    public static JsonNode parse(String json) {
        JsonNode node;
        try {
            node = json == null ? null : MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidEventException(
                    List.of(new Violation("", "json", "not valid JSON: " + e.getOriginalMessage())));
        } catch (NumberFormatException e) {
            // a number whose exponent is past what BigDecimal holds (1e-2147483648); the message quotes it: not kept
            throw new InvalidEventException(List.of(new Violation("", "json", NUMBER_OUT_OF_RANGE)));
        }
        if (node == null || node.isMissingNode()) {
            throw new InvalidEventException(
                    List.of(new Violation("", "json", "not valid JSON: the document is empty")));
        }
        return node;
    }

    /** Validates one envelope and turns it into an {@link EventEnvelope}. */
    public static EventEnvelope decode(JsonNode node) {
        List<Violation> violations = EventValidator.validate(node);
        if (!violations.isEmpty()) {
            throw new InvalidEventException(violations);
        }
        return toEnvelope(node);
    }

    /**
     * Reads an envelope this code wrote itself, without validating it again: for the immutable log, which holds
     * only events that passed {@link #decode} and were re-encoded by {@link #encode}. Never use it for input
     * from outside.
     */
    public static EventEnvelope decodeLogged(String json) {
        try {
            return toEnvelope(MAPPER.readTree(json));
        } catch (JacksonException | NullPointerException | java.util.NoSuchElementException e) {
            throw new IllegalStateException("a logged event is unreadable: " + e.getMessage(), e);
        }
    }

    private static EventEnvelope toEnvelope(JsonNode node) {
        JsonNode metadata = node.path("metadata");
        return new EventEnvelope(
                node.get("event_id").asString(),
                Timestamps.parse(node.get("timestamp_utc").asString()).orElseThrow(),
                node.get("customer_id").asString(),
                optionalText(node, "source_system"),
                new EventMetadata(
                        optionalText(metadata, "channel"),
                        optionalText(metadata, "interaction_id"),
                        optionalText(metadata, "agent_id")),
                decodePayload(
                        EventType.fromWireName(node.get("event_type").asString())
                                .orElseThrow(),
                        node.get("payload")),
                node.path("schema_version").asInt(EventEnvelope.FIRST_SCHEMA_VERSION));
    }

    /** The canonical JSON text of an envelope. */
    public static String encode(EventEnvelope event) {
        return MAPPER.writeValueAsString(toTree(event));
    }

    /** The canonical JSON tree of an envelope. */
    public static ObjectNode toTree(EventEnvelope event) {
        ObjectNode node = NODES.objectNode();
        node.put("event_id", event.eventId());
        node.put("event_type", event.eventType().wireName());
        node.put("timestamp_utc", Timestamps.format(event.timestampUtc()));
        node.put("customer_id", event.customerId());
        putOptional(node, "source_system", event.sourceSystem());
        if (!event.metadata().equals(EventMetadata.EMPTY)) {
            ObjectNode metadata = node.putObject("metadata");
            putOptional(metadata, "channel", event.metadata().channel());
            putOptional(metadata, "interaction_id", event.metadata().interactionId());
            putOptional(metadata, "agent_id", event.metadata().agentId());
        }
        node.set("payload", encodePayload(event.payload()));
        node.put("schema_version", event.schemaVersion());
        return node;
    }

    /** The JSON form of a value. */
    public static JsonNode valueNode(AttributeValue value) {
        if (value instanceof AttributeValue.Text text) {
            return NODES.stringNode(text.value());
        }
        if (value instanceof AttributeValue.Numeric number) {
            return NODES.numberNode(number.value());
        }
        if (value instanceof AttributeValue.Bool bool) {
            return NODES.booleanNode(bool.value());
        }
        return NODES.nullNode();
    }

    /** The value a JSON scalar stands for; objects and arrays are not values. */
    public static AttributeValue value(JsonNode node) {
        if (node == null || node.isNull()) {
            return AttributeValue.NULL;
        }
        if (node.isString()) {
            return new AttributeValue.Text(node.asString());
        }
        if (node.isBoolean()) {
            return new AttributeValue.Bool(node.booleanValue());
        }
        if (node.isNumber()) {
            return new AttributeValue.Numeric(node.decimalValue());
        }
        throw new IllegalArgumentException("not a scalar value: " + node.getNodeType());
    }

    private static ProfileEvent decodePayload(EventType type, JsonNode payload) {
        return switch (type) {
            case CUSTOMER_PROFILE_ATTRIBUTE_CHANGE ->
                new AttributeChanged(
                        payload.get("attribute_key").asString(),
                        payload.has("previous_value") ? value(payload.get("previous_value")) : null,
                        value(payload.get("new_value")),
                        optionalText(payload, "change_reason"));
            case BULK_PROFILE_UPDATE -> {
                List<BulkProfileUpdate.Change> changes = new ArrayList<>();
                for (JsonNode change : payload.get("changes")) {
                    changes.add(new BulkProfileUpdate.Change(
                            change.get("attribute_key").asString(),
                            change.has("previous_value") ? value(change.get("previous_value")) : null,
                            value(change.get("new_value"))));
                }
                yield new BulkProfileUpdate(changes, optionalText(payload, "change_reason"));
            }
            case CUSTOMER_PROFILE_MERGE ->
                new ProfileMerged(
                        payload.get("merged_into").asString(),
                        payload.get("merged_from").asString(),
                        optionalText(payload, "reason"),
                        optionalText(payload, "decided_by"),
                        optionalJson(payload, "evidence"));
            case CUSTOMER_PROFILE_UNMERGE ->
                new ProfileUnmerged(
                        payload.get("merged_into").asString(),
                        payload.get("merged_from").asString(),
                        optionalText(payload, "reason"),
                        optionalText(payload, "decided_by"),
                        optionalJson(payload, "evidence"));
            case CUSTOMER_PROFILE_ERASED -> new ProfileErased(optionalText(payload, "reason"));
        };
    }

    private static ObjectNode encodePayload(ProfileEvent payload) {
        ObjectNode node = NODES.objectNode();
        if (payload instanceof AttributeChanged change) {
            node.put("attribute_key", change.attributeKey());
            if (change.previousValue() != null) {
                node.set("previous_value", valueNode(change.previousValue()));
            }
            node.set("new_value", valueNode(change.newValue()));
            putOptional(node, "change_reason", change.changeReason());
        } else if (payload instanceof BulkProfileUpdate bulk) {
            ArrayNode changes = node.putArray("changes");
            for (BulkProfileUpdate.Change change : bulk.changes()) {
                ObjectNode item = changes.addObject();
                item.put("attribute_key", change.attributeKey());
                if (change.previousValue() != null) {
                    item.set("previous_value", valueNode(change.previousValue()));
                }
                item.set("new_value", valueNode(change.newValue()));
            }
            putOptional(node, "change_reason", bulk.changeReason());
        } else if (payload instanceof ProfileMerged merged) {
            node.put("merged_into", merged.mergedInto());
            node.put("merged_from", merged.mergedFrom());
            putRationale(node, merged.reason(), merged.decidedBy(), merged.evidence());
        } else if (payload instanceof ProfileUnmerged unmerged) {
            node.put("merged_into", unmerged.mergedInto());
            node.put("merged_from", unmerged.mergedFrom());
            putRationale(node, unmerged.reason(), unmerged.decidedBy(), unmerged.evidence());
        } else if (payload instanceof ProfileErased erased) {
            putOptional(node, "reason", erased.reason());
        } else {
            throw new IllegalStateException("no wire form for " + payload.type());
        }
        return node;
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    /** A JSON object or array as compact JSON text; {@code null} when absent. */
    private static String optionalJson(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : MAPPER.writeValueAsString(value);
    }

    private static void putRationale(ObjectNode node, String reason, String decidedBy, String evidence) {
        putOptional(node, "reason", reason);
        putOptional(node, "decided_by", decidedBy);
        if (evidence != null) {
            node.set("evidence", MAPPER.readTree(evidence));
        }
    }

    private static void putOptional(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
