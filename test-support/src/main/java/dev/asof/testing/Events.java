package dev.asof.testing;

import java.util.UUID;

/** Event JSON for tests, in the unified envelope. */
public final class Events {

    private Events() {}

    /** A fresh customer id, so tests never share data. */
    public static String newCustomerId(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().substring(0, 12);
    }

    /** An attribute change as an integrator would post it. */
    public static String attributeChange(
            String eventId,
            String customerId,
            String timestamp,
            String key,
            String previous,
            String next,
            String channel) {
        return """
                {"event_id":"%s","event_type":"CUSTOMER_PROFILE_ATTRIBUTE_CHANGE","timestamp_utc":"%s",\
                "customer_id":"%s","source_system":"genesys_cloud_cx",\
                "metadata":{"channel":"%s","interaction_id":"inter_1","agent_id":"agent_1"},\
                "payload":{"attribute_key":"%s","previous_value":%s,"new_value":%s,"change_reason":"agent_update"}}""".formatted(eventId, timestamp, customerId, channel, key, quoted(previous), quoted(next));
    }

    private static String quoted(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
