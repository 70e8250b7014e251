package dev.asof.events;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Checks an envelope against the contract and reports every violation with its JSON pointer and rule.
 * Placeholder: the JSON Schema backed validator replaces the body.
 */
public final class EventValidator {

    private EventValidator() {}

    /** Every violation in {@code node}; empty when it is a valid envelope. */
    public static List<Violation> validate(JsonNode node) {
        List<Violation> violations = new ArrayList<>();
        for (String field : List.of("event_id", "event_type", "timestamp_utc", "customer_id", "payload")) {
            if (!node.hasNonNull(field)) {
                violations.add(new Violation("/" + field, "required", field + " is required"));
            }
        }
        return violations;
    }
}
