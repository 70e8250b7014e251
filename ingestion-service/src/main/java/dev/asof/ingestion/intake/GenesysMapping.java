package dev.asof.ingestion.intake;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Genesys Cloud sends, mapped to the unified envelope. Two shapes are accepted:
 *
 * <ul>
 *   <li>The unified envelope itself (from a Data Connector or a webhook data action): passed through; a missing
 *       {@code source_system} becomes {@code genesys_cloud_cx}.
 *   <li>The Genesys EventBridge shape {@code {id, detail-type, source, time, detail}}. When {@code detail} is a
 *       unified envelope it is used as is, with {@code id} as its {@code event_id} if it has none. Otherwise
 *       {@code detail} is a flat profile change:
 *       <pre>
 * id (EventBridge)            -> event_id (the source's own id, so a redelivery is the same event)
 * detail.customerId           -> customer_id
 * detail.attribute            -> payload.attribute_key
 * detail.oldValue / newValue  -> payload.previous_value / new_value
 * detail.changeReason         -> payload.change_reason (default: detail-type)
 * detail.conversationId       -> metadata.interaction_id
 * detail.agentId | userId     -> metadata.agent_id
 * detail.channel | mediaType  -> metadata.channel
 * detail.timestamp | time     -> timestamp_utc
 *       </pre>
 * </ul>
 */
final class GenesysMapping implements SourceMapping {

    static final String SOURCE_SYSTEM = "genesys_cloud_cx";

    static final GenesysMapping INSTANCE = new GenesysMapping();

    private GenesysMapping() {}

    /**
     * The unified envelope sent as is has its own names; inside an EventBridge {@code detail} it sits under {@code
     * /detail}; the flat {@code detail} shape has names of its own.
     */
    @Override
    public Map<String, String> sourcePointers(JsonNode body) {
        JsonNode detail = body.path("detail");
        if (!detail.isObject()) {
            return Map.of();
        }
        if (detail.has("event_type")) {
            Map<String, String> nested = new LinkedHashMap<>();
            nested.put("/event_id", detail.has("event_id") ? "/detail/event_id" : "/id");
            nested.put("", "/detail");
            return nested;
        }
        Map<String, String> pointers = new LinkedHashMap<>();
        pointers.put("/event_id", "/id");
        pointers.put("/customer_id", "/detail/customerId");
        pointers.put("/timestamp_utc", detail.hasNonNull("timestamp") ? "/detail/timestamp" : "/time");
        pointers.put("/payload/attribute_key", "/detail/attribute");
        pointers.put("/payload/new_value", "/detail/newValue");
        pointers.put("/payload/previous_value", "/detail/oldValue");
        pointers.put("/payload/change_reason", detail.has("changeReason") ? "/detail/changeReason" : "/detail-type");
        pointers.put("/metadata/interaction_id", "/detail/conversationId");
        pointers.put("/metadata/agent_id", detail.has("agentId") ? "/detail/agentId" : "/detail/userId");
        pointers.put("/metadata/channel", detail.has("channel") ? "/detail/channel" : "/detail/mediaType");
        return pointers;
    }

    @Override
    public JsonNode toEnvelope(JsonNode body) {
        ObjectNode object = SourceFields.requireObject(body, "a Genesys event");
        if (!object.has("detail-type") && !object.has("detail")) {
            return withDefaultSource(object.deepCopy());
        }
        SourceFields envelopeFields = new SourceFields(object, "");
        String id = envelopeFields.requiredText("id");
        String detailType = envelopeFields.optionalText("detail-type");
        String time = envelopeFields.optionalText("time");
        JsonNode detailNode = object.get("detail");
        if (detailNode == null || !detailNode.isObject()) {
            envelopeFields.requirePresent("detail");
            envelopeFields.check();
            return SourceFields.requireObject(detailNode, "detail");
        }
        envelopeFields.check();
        ObjectNode detail = (ObjectNode) detailNode;
        if (detail.has("event_type")) {
            ObjectNode envelope = detail.deepCopy();
            if (!envelope.hasNonNull("event_id")) {
                envelope.put("event_id", id);
            }
            return withDefaultSource(envelope);
        }
        SourceFields fields = new SourceFields(detail, "/detail");
        String customerId = fields.requiredText("customerId");
        String attribute = fields.requiredText("attribute");
        fields.requirePresent("newValue");
        String timestamp = fields.optionalText("timestamp");
        String reason = fields.optionalText("changeReason");
        String conversationId = fields.optionalText("conversationId");
        String agentId = fields.optionalText("agentId", "userId");
        String channel = fields.optionalText("channel", "mediaType");
        fields.check();

        ObjectNode envelope = JsonNodeFactory.instance.objectNode();
        envelope.put("event_id", id);
        envelope.put("event_type", "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE");
        envelope.put("timestamp_utc", timestamp != null ? timestamp : time);
        envelope.put("customer_id", customerId);
        envelope.put("source_system", SOURCE_SYSTEM);
        ObjectNode metadata = envelope.putObject("metadata");
        metadata.put("channel", channel == null ? null : channel.toLowerCase(java.util.Locale.ROOT));
        metadata.put("interaction_id", conversationId);
        metadata.put("agent_id", agentId);
        ObjectNode payload = envelope.putObject("payload");
        payload.put("attribute_key", attribute);
        if (fields.has("oldValue")) {
            payload.set("previous_value", detail.get("oldValue"));
        }
        payload.set("new_value", detail.get("newValue"));
        payload.put("change_reason", reason != null ? reason : detailType);
        return envelope;
    }

    private static ObjectNode withDefaultSource(ObjectNode envelope) {
        if (!envelope.hasNonNull("source_system")) {
            envelope.put("source_system", SOURCE_SYSTEM);
        }
        return envelope;
    }
}
