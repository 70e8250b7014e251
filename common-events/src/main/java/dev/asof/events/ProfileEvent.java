package dev.asof.events;

/**
 * The payload of an event: one record per event type, each with a stable wire name that never derives from
 * a Java class name.
 */
public sealed interface ProfileEvent
        permits AttributeChanged, BulkProfileUpdate, ProfileMerged, ProfileUnmerged, ProfileErased {

    /** The {@code event_type} this payload travels under. */
    EventType type();
}
