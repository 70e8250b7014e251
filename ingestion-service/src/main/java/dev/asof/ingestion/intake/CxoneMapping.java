package dev.asof.ingestion.intake;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The flat JSON a CXone Studio REST API action posts, mapped to the unified envelope:
 *
 * <pre>
 * customerId  -> customer_id          attribute -> payload.attribute_key
 * oldValue    -> payload.previous_value (optional)
 * newValue    -> payload.new_value    changeReason -> payload.change_reason (default "cxone_studio")
 * contactId   -> metadata.interaction_id   agentId -> metadata.agent_id   channel -> metadata.channel
 * timestamp   -> timestamp_utc (ISO-8601 with Z or offset; required, so Studio's retries carry the same time)
 * eventId     -> event_id (optional; otherwise derived from the content, so retries map to the same id)
 * </pre>
 */
final class CxoneMapping implements SourceMapping {

    static final String SOURCE_SYSTEM = "nice_cxone";

    static final CxoneMapping INSTANCE = new CxoneMapping();

    /** Envelope fields and the CXone fields they come from. */
    private static final Map<String, String> POINTERS = Map.of(
            "/event_id", "/eventId",
            "/customer_id", "/customerId",
            "/timestamp_utc", "/timestamp",
            "/payload/attribute_key", "/attribute",
            "/payload/new_value", "/newValue",
            "/payload/previous_value", "/oldValue",
            "/payload/change_reason", "/changeReason",
            "/metadata/interaction_id", "/contactId",
            "/metadata/agent_id", "/agentId",
            "/metadata/channel", "/channel");

    private CxoneMapping() {}

    @Override
    public Map<String, String> sourcePointers(JsonNode element) {
        return POINTERS;
    }

    @Override
    public JsonNode toEnvelope(JsonNode flat) {
        SourceFields fields = new SourceFields(SourceFields.requireObject(flat, "a CXone event"), "");
        String customerId = fields.requiredText("customerId");
        String attribute = fields.requiredText("attribute");
        String timestamp = fields.requiredText("timestamp");
        fields.requirePresent("newValue");
        String eventId = fields.optionalText("eventId");
        String reason = fields.optionalText("changeReason");
        String contactId = fields.optionalText("contactId");
        String agentId = fields.optionalText("agentId");
        String channel = fields.optionalText("channel");
        fields.check();

        ObjectNode envelope = JsonNodeFactory.instance.objectNode();
        if (eventId != null) {
            envelope.put("event_id", eventId);
        }
        envelope.put("event_type", "CUSTOMER_PROFILE_ATTRIBUTE_CHANGE");
        envelope.put("timestamp_utc", timestamp);
        envelope.put("customer_id", customerId);
        envelope.put("source_system", SOURCE_SYSTEM);
        ObjectNode metadata = envelope.putObject("metadata");
        metadata.put("channel", channel);
        metadata.put("interaction_id", contactId);
        metadata.put("agent_id", agentId);
        ObjectNode payload = envelope.putObject("payload");
        payload.put("attribute_key", attribute);
        if (fields.has("oldValue")) {
            payload.set("previous_value", flat.get("oldValue"));
        }
        payload.set("new_value", flat.get("newValue"));
        payload.put("change_reason", reason == null ? "cxone_studio" : reason);
        return envelope;
    }
}
