package dev.asof.events;

import java.util.Arrays;
import java.util.Optional;

/** The event types, each with its wire name. The wire names are part of the contract and never change. */
public enum EventType {
    CUSTOMER_PROFILE_ATTRIBUTE_CHANGE("CUSTOMER_PROFILE_ATTRIBUTE_CHANGE"),
    BULK_PROFILE_UPDATE("BULK_PROFILE_UPDATE"),
    CUSTOMER_PROFILE_MERGE("CUSTOMER_PROFILE_MERGE"),
    CUSTOMER_PROFILE_UNMERGE("CUSTOMER_PROFILE_UNMERGE"),
    CUSTOMER_PROFILE_ERASED("CUSTOMER_PROFILE_ERASED");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire. */
    public String wireName() {
        return wireName;
    }

    /** The type with this wire name; empty for an unknown name (which callers must reject). */
    public static Optional<EventType> fromWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }
}
