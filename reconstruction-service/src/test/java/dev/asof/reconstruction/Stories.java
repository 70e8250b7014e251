package dev.asof.reconstruction;

import dev.asof.events.AttributeChanged;
import dev.asof.events.AttributeValue;
import dev.asof.events.BulkProfileUpdate;
import dev.asof.events.EventEnvelope;
import dev.asof.events.EventMetadata;
import dev.asof.events.ProfileErased;
import dev.asof.events.ProfileEvent;
import dev.asof.events.ProfileMerged;
import dev.asof.events.ProfileUnmerged;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Events for the stories the tests tell, in the unified envelope. */
final class Stories {

    private Stories() {}

    static EventEnvelope changeTo(String customer, String timestamp, String key, AttributeValue value, String channel) {
        return envelope(customer, timestamp, channel, new AttributeChanged(key, null, value, "agent_update"));
    }

    static EventEnvelope change(String customer, String timestamp, String key, String value, String channel) {
        return changeTo(
                customer, timestamp, key, value == null ? AttributeValue.NULL : AttributeValue.text(value), channel);
    }

    static EventEnvelope changeClaiming(
            String customer, String timestamp, String key, String previous, String value, String channel) {
        return envelope(
                customer,
                timestamp,
                channel,
                new AttributeChanged(
                        key,
                        previous == null ? null : AttributeValue.text(previous),
                        value == null ? AttributeValue.NULL : AttributeValue.text(value),
                        "agent_update"));
    }

    static EventEnvelope bulk(String customer, String timestamp, List<BulkProfileUpdate.Change> changes) {
        return envelope(customer, timestamp, "web", new BulkProfileUpdate(changes, "campaign"));
    }

    static EventEnvelope merge(String from, String into, String timestamp) {
        return envelope(from, timestamp, null, new ProfileMerged(into, from));
    }

    static EventEnvelope unmerge(String from, String into, String timestamp) {
        return envelope(from, timestamp, null, new ProfileUnmerged(into, from));
    }

    static EventEnvelope erase(String customer, String timestamp) {
        return envelope(customer, timestamp, null, new ProfileErased("gdpr_article_17"));
    }

    static EventEnvelope envelope(String customer, String timestamp, String channel, ProfileEvent payload) {
        return new EventEnvelope(
                UUID.randomUUID().toString(),
                Instant.parse(timestamp),
                customer,
                "genesys_cloud_cx",
                new EventMetadata(channel, channel == null ? null : "inter_1", channel == null ? null : "agent_7"),
                payload,
                EventEnvelope.SCHEMA_VERSION);
    }

    /** The same event under another id (for golden files, which need stable ids). */
    static EventEnvelope withId(EventEnvelope event, String eventId) {
        return new EventEnvelope(
                eventId,
                event.timestampUtc(),
                event.customerId(),
                event.sourceSystem(),
                event.metadata(),
                event.payload(),
                event.schemaVersion());
    }
}
