package dev.asof.merge.matching.web;

import dev.asof.events.AttributeValue;
import dev.asof.events.EventJson;
import dev.asof.events.EventValidator;
import dev.asof.events.Violation;
import dev.asof.matching.BirthDates;
import dev.asof.matching.MatchCatalog;
import dev.asof.matching.MatchField;
import dev.asof.support.web.ApiExceptionHandler;
import dev.asof.support.web.ApiProblemException;
import dev.asof.support.web.Problems;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /api/v1/match}: {@code {"attributes": {key: value, ...}, "limit": n}}, checked strictly,
 * every broken rule named with its JSON pointer in one 400. Keys must be match attributes of the catalog; an empty
 * string counts as absent (a Genesys action sends "" for an input the flow left empty). A value may not hold a control
 * character or an unpaired surrogate, and a date of birth must be an ISO date from 1900 to 2100.
 */
record MatchRequest(Map<String, AttributeValue> attributes, Integer limit) {

    /** Longest value, in characters. */
    static final int MAX_VALUE_LENGTH = 256;

    static MatchRequest parse(String body, MatchCatalog catalog, int maxLimit) {
        JsonNode document = EventJson.parse(body);
        List<Violation> violations = new ArrayList<>();
        if (!document.isObject()) {
            throw invalid(List.of(new Violation("", "type", "the body must be a JSON object")));
        }
        for (Map.Entry<String, JsonNode> property : document.properties()) {
            if (!property.getKey().equals("attributes") && !property.getKey().equals("limit")) {
                violations.add(new Violation(
                        "/" + escaped(property.getKey()),
                        "additionalProperties",
                        "unknown field '" + Problems.quoted(property.getKey()) + "'; allowed: attributes, limit"));
            }
        }
        Map<String, AttributeValue> attributes = new TreeMap<>();
        JsonNode given = document.get("attributes");
        if (given == null || given.isNull()) {
            violations.add(new Violation("/attributes", "required", "attributes is required"));
        } else if (!given.isObject()) {
            violations.add(new Violation("/attributes", "type", "attributes must be a JSON object"));
        } else {
            for (Map.Entry<String, JsonNode> attribute : given.properties()) {
                String key = attribute.getKey();
                String pointer = "/attributes/" + escaped(key);
                JsonNode value = attribute.getValue();
                if (!catalog.fields().containsKey(key)) {
                    violations.add(new Violation(
                            pointer,
                            "additionalProperties",
                            "'" + Problems.quoted(key) + "' is no match attribute; the catalog has "
                                    + String.join(
                                            ", ",
                                            new java.util.TreeSet<>(
                                                    catalog.fields().keySet()))));
                } else if (value.isNull()
                        || value.isString() && value.stringValue().isBlank()) {
                    continue;
                } else if (!value.isString() && !value.isNumber()) {
                    violations.add(new Violation(pointer, "type", key + " must be a string"));
                } else if (value.asString().length() > MAX_VALUE_LENGTH) {
                    violations.add(new Violation(
                            pointer, "maxLength", key + " has more than " + MAX_VALUE_LENGTH + " characters"));
                } else if (EventValidator.hasUnpairedSurrogate(value.asString())) {
                    violations.add(new Violation(pointer, "unicode", key + " holds an unpaired UTF-16 surrogate"));
                } else if (value.asString().chars().anyMatch(c -> c < 0x20 || c >= 0x7f && c <= 0x9f)) {
                    // no name, number, address or date holds a control character (a probe matched on "\u0000")
                    violations.add(new Violation(pointer, "characters", key + " holds a control character"));
                } else if (catalog.fields().get(key) == MatchField.DATE_OF_BIRTH
                        && BirthDates.parse(value.asString()).isEmpty()) {
                    // an unreadable date matched nothing and said nothing; now it says why
                    violations.add(new Violation(
                            pointer,
                            "format",
                            key + " must be an ISO date (yyyy-MM-dd, or the date part of an ISO date-time) from 1900"
                                    + " to 2100"));
                } else {
                    attributes.put(key, AttributeValue.text(value.asString()));
                }
            }
        }
        Integer limit = null;
        JsonNode limitNode = document.get("limit");
        if (limitNode != null && !limitNode.isNull()) {
            if (!limitNode.canConvertToExactIntegral() || !limitNode.isNumber()) {
                violations.add(new Violation("/limit", "type", "limit must be an integer"));
            } else if (limitNode.decimalValue().compareTo(java.math.BigDecimal.ONE) < 0
                    || limitNode.decimalValue().compareTo(java.math.BigDecimal.valueOf(maxLimit)) > 0) {
                violations.add(new Violation("/limit", "range", "limit must be 1 to " + maxLimit));
            } else {
                limit = limitNode.intValue();
            }
        }
        if (!violations.isEmpty()) {
            throw invalid(violations);
        }
        return new MatchRequest(attributes, limit);
    }

    private static String escaped(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    private static ApiProblemException invalid(List<Violation> violations) {
        return new ApiProblemException(ApiExceptionHandler.invalid(violations));
    }
}
