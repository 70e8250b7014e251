package dev.asof.events;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A customer's profile as resolved across merges.
 *
 * @param customerId the identity asked about
 * @param resolvedCustomerId the identity it resolves to through merges (itself when not merged)
 * @param attributes the visible attributes, sorted by key, each with the change that set it
 * @param members the identities whose histories make up the profile, sorted; includes the resolved one
 */
public record Profile(
        String customerId, String resolvedCustomerId, Map<String, AttributeVersion> attributes, List<String> members) {

    public Profile {
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(resolvedCustomerId, "resolvedCustomerId");
        attributes = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(attributes));
        members = List.copyOf(members);
    }
}
