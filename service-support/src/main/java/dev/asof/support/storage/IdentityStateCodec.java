package dev.asof.support.storage;

import dev.asof.events.AttributeVersion;
import dev.asof.events.EventJson;
import dev.asof.events.IdentityState;
import dev.asof.events.MergeLink;
import dev.asof.events.Timestamps;
import dev.asof.events.Version;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The stored JSON form of an {@link IdentityState} (materialized view, snapshots). */
public final class IdentityStateCodec {

    /** Bumped whenever the stored form changes; stored states of another version are rebuilt, never trusted. */
    public static final int STATE_SCHEMA_VERSION = 1;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private IdentityStateCodec() {}

    public static String encode(IdentityState state) {
        ObjectNode node = NODES.objectNode();
        node.put("customer_id", state.customerId());
        ObjectNode attributes = node.putObject("attributes");
        new TreeMap<>(state.attributes()).forEach((key, version) -> {
            ObjectNode item = attributes.putObject(key);
            item.set("value", EventJson.valueNode(version.value()));
            item.set("version", version(version.version()));
            if (version.sourceSystem() != null) {
                item.put("source_system", version.sourceSystem());
            }
        });
        if (state.erasedAt() != null) {
            node.set("erased_at", version(state.erasedAt()));
        }
        if (state.link() != null) {
            ObjectNode link = node.putObject("link");
            link.put("merged_into", state.link().mergedInto());
            link.put("active", state.link().active());
            link.set("version", version(state.link().version()));
        }
        return EventJson.mapper().writeValueAsString(node);
    }

    public static IdentityState decode(String json) {
        JsonNode node = EventJson.mapper().readTree(json);
        Map<String, AttributeVersion> attributes = new HashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.get("attributes").properties()) {
            JsonNode item = entry.getValue();
            attributes.put(
                    entry.getKey(),
                    new AttributeVersion(
                            entry.getKey(),
                            EventJson.value(item.get("value")),
                            version(item.get("version")),
                            item.hasNonNull("source_system")
                                    ? item.get("source_system").asString()
                                    : null));
        }
        MergeLink link = null;
        if (node.hasNonNull("link")) {
            JsonNode l = node.get("link");
            link = new MergeLink(
                    l.get("merged_into").asString(), l.get("active").asBoolean(), version(l.get("version")));
        }
        return new IdentityState(
                node.get("customer_id").asString(),
                attributes,
                node.hasNonNull("erased_at") ? version(node.get("erased_at")) : null,
                link);
    }

    private static ObjectNode version(Version version) {
        ObjectNode node = NODES.objectNode();
        node.put("ts", Timestamps.format(version.timestamp()));
        node.put("recorded_at", version.recordedAt());
        node.put("event_id", version.eventId());
        node.put("index", version.index());
        return node;
    }

    private static Version version(JsonNode node) {
        return new Version(
                Timestamps.parse(node.get("ts").asString()).orElseThrow(),
                node.get("recorded_at").asLong(),
                node.get("event_id").asString(),
                node.get("index").asInt());
    }
}
