package dev.asof.ingestion.intake;

import dev.asof.events.InvalidEventException;
import dev.asof.events.Violation;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Reads a platform's own payload, collecting every missing or mistyped field under the platform's own names. */
final class SourceFields {

    private final JsonNode node;
    private final String pointerPrefix;
    private final List<Violation> violations = new ArrayList<>();

    SourceFields(JsonNode node, String pointerPrefix) {
        this.node = node;
        this.pointerPrefix = pointerPrefix;
    }

    static ObjectNode requireObject(JsonNode node, String what) {
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw new InvalidEventException(
                List.of(new Violation("", "type", what + " must be a JSON object, not " + node.getNodeType())));
    }

    /** The first present text field among {@code names}; a violation naming the first when none is. */
    String requiredText(String... names) {
        int before = violations.size();
        String value = optionalText(names);
        // present with the wrong type is already said; "required" as well would report one mistake twice
        if (value == null && violations.size() == before) {
            violations.add(new Violation(
                    pointerPrefix + "/" + names[0],
                    "required",
                    names[0] + " is required"
                            + (names.length > 1 ? " (or " + String.join(", ", tail(names)) + ")" : "")));
        }
        return value;
    }

    /** The first present text field among {@code names}, or {@code null}. */
    String optionalText(String... names) {
        for (String name : names) {
            JsonNode value = node.get(name);
            if (value != null && !value.isNull()) {
                if (value.isString()) {
                    return value.asString();
                }
                violations.add(new Violation(pointerPrefix + "/" + name, "type", name + " must be a string"));
                return null;
            }
        }
        return null;
    }

    /** The first present field among {@code names} as raw JSON (scalar values), or {@code null} when absent. */
    JsonNode optionalValue(String... names) {
        for (String name : names) {
            if (node.has(name)) {
                return node.get(name);
            }
        }
        return null;
    }

    /** Whether any field among {@code names} is present (even as null). */
    boolean has(String... names) {
        for (String name : names) {
            if (node.has(name)) {
                return true;
            }
        }
        return false;
    }

    void requirePresent(String... names) {
        if (!has(names)) {
            violations.add(new Violation(pointerPrefix + "/" + names[0], "required", names[0] + " is required"));
        }
    }

    /** Throws every violation collected so far. */
    void check() {
        if (!violations.isEmpty()) {
            throw new InvalidEventException(violations);
        }
    }

    private static List<String> tail(String[] names) {
        return List.of(names).subList(1, names.length);
    }
}
