package dev.asof.events;

import java.time.Instant;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The unified event envelope, the same for every source. Immutable once written.
 *
 * <p>On the wire (snake_case): {@code event_id, event_type, timestamp_utc, customer_id, source_system,
 * metadata{channel, interaction_id, agent_id}, payload, schema_version}.
 *
 * @param eventId unique id of the event; a re-sent event keeps its id
 * @param timestampUtc when the change happened (valid time), UTC at millisecond precision
 * @param customerId the identity the event is addressed to
 * @param sourceSystem where it came from ({@code genesys_cloud_cx}, {@code nice_cxone}, ...); {@code null} when
 *     the source did not say (the design guide's merge example)
 * @param metadata channel, interaction and agent
 * @param payload the change itself; its type gives {@code event_type}
 * @param schemaVersion the envelope schema version: {@link #FIRST_SCHEMA_VERSION} when the source left it out, at
 *     most {@link #SCHEMA_VERSION}
 */
public record EventEnvelope(
        String eventId,
        Instant timestampUtc,
        String customerId,
        String sourceSystem,
        EventMetadata metadata,
        ProfileEvent payload,
        int schemaVersion) {

    /**
     * The latest envelope schema version, which this code writes for its own events. Version 2 added {@code
     * reason}, {@code decided_by} and {@code evidence} to merge and unmerge payloads; every version 1 event is a
     * valid version 2 event.
     */
    public static final int SCHEMA_VERSION = 2;

    /** The version of an event that does not say: the first one. */
    public static final int FIRST_SCHEMA_VERSION = 1;

    public EventEnvelope {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(timestampUtc, "timestampUtc");
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(payload, "payload");
        metadata = metadata == null ? EventMetadata.EMPTY : metadata;
        timestampUtc = Timestamps.truncate(timestampUtc);
    }

    /** This event under another id. */
    public EventEnvelope withEventId(String id) {
        return new EventEnvelope(id, timestampUtc, customerId, sourceSystem, metadata, payload, schemaVersion);
    }

    /** The event type, from the payload. */
    public EventType eventType() {
        return payload.type();
    }

    /**
     * This event with every attribute value ({@code previous_value}, {@code new_value}, the bulk entries') replaced
     * by {@code mapping} of it; everything else (ids, times, keys, merge links) as it is. Used to encrypt values at
     * intake and to decrypt them on reads.
     */
    public EventEnvelope withValues(UnaryOperator<AttributeValue> mapping) {
        ProfileEvent mapped = payload;
        if (payload instanceof AttributeChanged change) {
            mapped = new AttributeChanged(
                    change.attributeKey(),
                    mapNullable(change.previousValue(), mapping),
                    mapping.apply(change.newValue()),
                    change.changeReason());
        } else if (payload instanceof BulkProfileUpdate bulk) {
            mapped = new BulkProfileUpdate(
                    bulk.changes().stream()
                            .map(c -> new BulkProfileUpdate.Change(
                                    c.attributeKey(),
                                    mapNullable(c.previousValue(), mapping),
                                    mapping.apply(c.newValue())))
                            .toList(),
                    bulk.changeReason());
        }
        return mapped == payload
                ? this
                : new EventEnvelope(eventId, timestampUtc, customerId, sourceSystem, metadata, mapped, schemaVersion);
    }

    private static AttributeValue mapNullable(AttributeValue value, UnaryOperator<AttributeValue> mapping) {
        return value == null ? null : mapping.apply(value);
    }
}
